package org.fedfms.product.it;

import static org.fedfms.product.it.ProductProcess.product;
import static org.fedfms.product.it.ProductProcess.workDirectory;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@code fedfms shell} on a real terminal (tmux): Up+Enter repeats a command, Tab completes commands, options
 * and ids of what is present now, and the history is kept in the home ({@code FEDFMS_HOME}) across sessions.
 */
class ConsoleTest {

    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String PROMPT = "fedfms> ";

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static boolean endsWithPrompt(String screen, String typed) {
        return screen.stripTrailing().endsWith((PROMPT + typed).stripTrailing());
    }

    private static String shell(Path home) {
        return "exec env FEDFMS_HOME='" + home + "' FEDFMS_THREADS=1 OMP_NUM_THREADS=1 TERM=xterm-256color "
                + "FEDFMS_JAVA_OPTS='-XX:+UseSerialGC -XX:TieredStopAtLevel=1' '" + product().resolve("fedfms")
                + "' shell";
    }

    @Test
    void upEnterRepeatsTabCompletesAndTheHistoryOutlivesTheSession() throws Exception {
        Path root = workDirectory("console");
        Path home = root.resolve("home");
        try (Tmux t = Tmux.start(root.resolve("tmux.sock"), shell(home))) {
            t.await("the prompt", s -> s.contains(PROMPT), START);
            t.type("fedfms:version");
            t.press("Enter");
            t.await("the version table", s -> count(s, "FedFMS Workbench") == 1 && endsWithPrompt(s, ""), STEP);
            t.press("Up");
            t.await("the last command back on the line", s -> endsWithPrompt(s, "fedfms:version"), STEP);
            t.press("Enter");
            String twice = t.await("the version table a second time",
                    s -> count(s, "FedFMS Workbench") == 2 && endsWithPrompt(s, ""), STEP);
            assertFalse(twice.contains("^[[A"), twice);

            t.type("strategy-inf");
            t.press("Tab");
            t.await("the command completed", s -> endsWithPrompt(s, "strategy-info "), STEP);
            t.type("fedpr");
            t.press("Tab");
            t.await("the strategy id completed", s -> endsWithPrompt(s, "strategy-info fedprox "), STEP);
            t.press("Enter");
            t.await("the strategy's settings", s -> s.contains("proximal") && endsWithPrompt(s, ""), STEP);

            t.type("experiment tabbed-exp --rounds 1");
            t.press("Enter");
            t.await("the experiment created", s -> count(s, "tabbed-exp") >= 2 && endsWithPrompt(s, ""), STEP);
            t.type("run --roun");
            t.press("Tab");
            t.await("the option completed", s -> endsWithPrompt(s, "run --rounds "), STEP);
            t.press("C-u");
            t.type("status tabbed-e");
            t.press("Tab");
            t.await("the experiment name completed", s -> endsWithPrompt(s, "status tabbed-exp "), STEP);
            t.press("Enter");
            t.await("its status", s -> s.contains("ready") && endsWithPrompt(s, ""), STEP);
            t.type("exit");
            t.press("Enter");
            t.await("the shell to end", s -> {
                try {
                    return t.dead();
                } catch (Exception e) {
                    return false;
                }
            }, STEP);
        }
        Path history = home.resolve("history");
        String saved = Files.readString(history, StandardCharsets.UTF_8);
        assertTrue(saved.contains("fedfms:version") && saved.contains("status tabbed-exp"), saved);
        assertTrue(Files.isDirectory(home.resolve("experiments/tabbed-exp")), "the experiment is in the home");

        try (Tmux t = Tmux.start(root.resolve("tmux2.sock"), shell(home))) {
            t.await("the prompt", s -> s.contains(PROMPT), START);
            t.press("Up");
            t.await("the last session's last command", s -> endsWithPrompt(s, "exit"), STEP);
            t.press("Up");
            t.await("the one before", s -> endsWithPrompt(s, "status tabbed-exp"), STEP);
            t.press("Enter");
            t.await("the status of the experiment kept in the home", s -> s.contains("ready")
                    && endsWithPrompt(s, ""), STEP);
        }
    }

    /**
     * The run's lines on a screen that show progress inside a round ({@code [progress-exp]   site-1 batch 3/8,
     * 12.5 samples/s, ETA 0:04 | ...}); the status table's "last progress" row is not one of them.
     */
    private static java.util.List<String> progressLines(String screen) {
        return screen.lines().filter(l -> l.startsWith("[progress-exp]") && l.contains("samples/s, ETA")).toList();
    }

    @Test
    void progressInsideARoundIsOneLineRewrittenInPlaceAndClearedAfterwards() throws Exception {
        Path root = workDirectory("console-progress");
        Path home = root.resolve("home");
        try (Tmux t = Tmux.start(root.resolve("tmux.sock"), shell(home))) {
            t.await("the prompt", s -> s.contains(PROMPT), START);
            t.type("experiment progress-exp --rounds 1 --local-epochs 4 --batch 1");
            t.press("Enter");
            t.await("the experiment created", s -> count(s, "progress-exp") >= 2 && endsWithPrompt(s, ""), STEP);
            t.type("run progress-exp");
            t.press("Enter");
            java.util.Set<String> seen = new java.util.LinkedHashSet<>();
            int most = 0;
            long end = System.nanoTime() + Duration.ofSeconds(600).toNanos();
            String screen = t.screen();
            while (!(screen.contains("completed: 1 rounds") && endsWithPrompt(screen, ""))) {
                assertFalse(screen.contains("FAILED") || screen.contains("paused after"), screen);
                java.util.List<String> lines = progressLines(screen);
                most = Math.max(most, lines.size());
                seen.addAll(lines);
                assertTrue(System.nanoTime() < end, "the run did not end; the terminal shows:\n" + screen);
                Thread.sleep(50);
                screen = t.screen();
            }
            assertTrue(most == 1, "progress took " + most + " lines at once; the terminal shows:\n" + screen);
            assertTrue(seen.size() >= 2, "the progress line was not rewritten (seen: " + seen + ")");
            assertTrue(progressLines(screen).isEmpty(), "the progress line is left on the screen:\n" + screen);
        }
    }
}
