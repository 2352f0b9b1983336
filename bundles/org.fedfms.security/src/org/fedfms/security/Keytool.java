package org.fedfms.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JDK's {@code keytool} with the keystore password in its environment as {@value #PASSWORD_VARIABLE}
 * (pass {@code -storepass:env} / {@code -keypass:env} with it), never on its command line.
 */
public final class Keytool {

    /** The environment variable that carries the password to {@code keytool}. */
    public static final String PASSWORD_VARIABLE = "FEDFMS_KEYSTORE_PASSWORD";

    private Keytool() {
    }

    /**
     * Runs {@code keytool args...} and waits up to a minute for it.
     *
     * @param failure what could not be done, for the message when keytool fails (its output is appended)
     * @throws IOException when keytool cannot start, fails or takes longer than a minute
     */
    public static void run(String password, String failure, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process p = builder.start();
        String said;
        try (InputStream in = p.getInputStream()) {
            said = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(failure + ": " + said.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool " + args[0], e);
        }
    }
}
