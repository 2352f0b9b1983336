package org.fedfms.product.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program on a terminal of its own: a detached tmux session on a private server socket, typed into with
 * {@code send-keys} and read with {@code capture-pane}, as a person at a terminal would use it.
 */
final class Tmux implements AutoCloseable {

    private static final String SESSION = "fedfms";

    private final Path socket;

    private Tmux(Path socket) {
        this.socket = socket;
    }

    /** Starts {@code shellCommand} (run by /bin/sh) on a 160×50 terminal; the pane stays after it exits. */
    static Tmux start(Path socket, String shellCommand) throws IOException, InterruptedException {
        Tmux t = new Tmux(socket);
        t.tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "50", shellCommand);
        t.tmux("set-option", "-t", SESSION, "remain-on-exit", "on");
        return t;
    }

    /** Types {@code text} literally. */
    void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", SESSION, "-l", text);
    }

    /** Presses keys by their tmux names: {@code Enter}, {@code Up}, {@code Tab}, {@code C-u}. */
    void press(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", SESSION));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** The whole pane, its scrollback included, lines joined where the terminal wrapped them. */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", SESSION);
    }

    /** True once the program in the pane has exited. */
    boolean dead() throws IOException, InterruptedException {
        return tmux("display-message", "-p", "-t", SESSION, "#{pane_dead}").strip().equals("1");
    }

    /** Waits until the screen satisfies {@code condition}; fails with the screen after {@code timeout}. */
    String await(String what, Predicate<String> condition, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String screen = screen();
            if (condition.test(screen)) {
                return screen;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; the terminal shows:\n" + screen);
            }
            Thread.sleep(100);
        }
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("tmux", "-S", socket.toString(), "kill-server").redirectErrorStream(true).start()
                .waitFor(30, TimeUnit.SECONDS);
    }
}
