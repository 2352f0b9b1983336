package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The launchers' help: every mode, and the demo's parameters with their defaults, without building or starting Java. */
class LauncherHelpTest {

    private static final Path ROOT = Shell.checkoutRoot();
    private static final Path PRODUCT_LAUNCHER = ROOT.resolve("features/org.fedfms.core.feature/rootfiles/fedfms");

    private record Result(int exit, String out, String err) {
    }

    private static Result launch(Path launcher, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("fedfms-help", ".out");
        Path err = Files.createTempFile("fedfms-help", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish: " + command);
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void helpListsEveryModeIncludingTheWorkbench() throws Exception {
        for (String flag : List.of("--help", "-h", "help")) {
            Result r = launch(ROOT.resolve("releng/fedfms"), flag);
            assertEquals(0, r.exit(), r.err());
            for (String mode : List.of("shell", "exec", "run", "demo", "coordinator", "site", "workbench")) {
                assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("fedfms " + mode + " ")),
                        "mode " + mode + " in:\n" + r.out());
            }
        }
        Result verbose = launch(PRODUCT_LAUNCHER, "--verbose", "--help");
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(verbose.out().contains("--verbose before the mode"), verbose.out());
        Result product = launch(PRODUCT_LAUNCHER, "--help");
        assertEquals(0, product.exit(), product.err());
        assertTrue(product.out().contains("fedfms-workbench"), product.out());
        assertTrue(product.out().contains("'fedfms demo --help'"), product.out());
    }

    @Test
    void demoHelpListsEveryParameterWithItsDefault() throws Exception {
        String script = Files.readString(PRODUCT_LAUNCHER.resolveSibling("demo.gogo"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^([a-z]+) *= *\\$\\{\\1:-([^}]*)\\}\\s*$").matcher(script);
        int parameters = 0;
        Result r = launch(ROOT.resolve("releng/fedfms"), "demo", "--help");
        assertEquals(0, r.exit(), r.err());
        while (m.find()) {
            parameters++;
            String name = m.group(1);
            String expected = m.group(2).isEmpty() ? "(empty)" : m.group(2);
            assertTrue(r.out().lines().anyMatch(l -> l.trim().matches(Pattern.quote(name) + " +"
                    + Pattern.quote(expected))), name + " with default " + expected + " in:\n" + r.out());
        }
        assertTrue(parameters >= 10, "demo.gogo declares only " + parameters + " parameters");
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("weights ") && l.contains("sam-tiny-pretrained.pth")),
                r.out());
        assertTrue(r.out().contains("Parameters, settable as NAME=VALUE"), r.out());
    }
}
