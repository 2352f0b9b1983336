package org.fedfms.shell.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.fedfms.federation.FederationService;

/** What the experiment commands share: the federation service present now, and argument checks. */
final class Federations {

    private Federations() {
    }

    /** The service, or an error saying it is missing. */
    static FederationService require(FederationService f) {
        if (f == null) {
            throw new IllegalStateException("the federation service is not present (bundle org.fedfms.federation "
                    + "is not started; 'lb fedfms' lists the FedFMS bundles)");
        }
        return f;
    }

    /**
     * Fails on arguments that look like options but are none of the command's (Gogo leaves them among
     * the positional arguments).
     */
    static void noUnknownOptions(String command, List<String> options, String... arguments) {
        List<String> unknown = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        for (String a : arguments) {
            if (a != null && a.startsWith("--")) {
                (options.contains(a) ? repeated : unknown).add(a);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!unknown.isEmpty()) {
            problems.add("unknown option" + (unknown.size() == 1 ? " " : "s ") + String.join(" ", unknown)
                    + (unknown.size() == 1 ? Usage.didYouMean(unknown.get(0), options) : "")
                    + " (options: " + (options.isEmpty() ? "none" : String.join(" ", options)) + ")");
        }
        repeated.forEach(o -> problems.add("option " + o + " is given more than once"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(command + ": " + String.join("; ", problems));
        }
    }

    /** A whole number of at least 1 given to {@code option}. */
    static int positive(String option, String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": '" + text + "' is not a whole number of at least 1");
    }

    /** A whole number of at least 0 given to {@code option}. */
    static int nonNegative(String option, String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": '" + text + "' is not a whole number of at least 0");
    }

    /** A path as typed, relative to the session's current directory. */
    static Path resolve(CommandSession session, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || session == null) {
            return p.toAbsolutePath().normalize();
        }
        return session.currentDir().resolve(p).toAbsolutePath().normalize();
    }
}
