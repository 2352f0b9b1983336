package org.fedfms.federation;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The FedFMS home: the directory of a process's experiments ({@code experiments/}), console history and
 * logs. The framework property {@value #PROPERTY} chooses it (the launcher sets it from {@code --home} or
 * the environment variable {@code FEDFMS_HOME}); without it, {@code ~/.fedfms}.
 */
public final class FedfmsHome {

    /** Framework or system property naming the home directory. */
    public static final String PROPERTY = "fedfms.workdir";

    private FedfmsHome() {
    }

    /** The home, from {@code properties} (a bundle context's {@code getProperty}), absolute. */
    public static Path directory(UnaryOperator<String> properties) {
        String configured = properties.apply(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip()).toAbsolutePath().normalize();
        }
        return Path.of(System.getProperty("user.home"), ".fedfms").toAbsolutePath();
    }
}
