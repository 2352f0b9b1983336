package org.fedfms.product.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the product's launcher ({@code fedfms coordinator|site --config FILE}) as a separate process, its
 * output in a log file. The launcher is a shell script that starts the JVM as its child, so killing means
 * killing the whole process tree, JVM first.
 */
final class ProductProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ProductProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** The materialized server product: {@code -Dfedfms.product.dir}, by default the one this build made. */
    static Path product() {
        return Path.of(System.getProperty("fedfms.product.dir", "../../product/target/products/"
                + "org.fedfms.server.product/linux/gtk/x86_64/fedfms-server")).toAbsolutePath().normalize();
    }

    /** A new directory for one test's files: {@code <-Dfedfms.it.dir, target/it>/<what>-<millis>}. */
    static Path workDirectory(String what) throws IOException {
        Path root = Path.of(System.getProperty("fedfms.it.dir", "target/it")).toAbsolutePath()
                .resolve(what + "-" + System.currentTimeMillis());
        Files.createDirectories(root);
        return root;
    }

    /** The JVM options of a coordinator or site with its state in {@code workdir}: a small heap, a quick start. */
    static List<String> jvmOptions(Path workdir) {
        return List.of("-Dfedfms.workdir=" + workdir, "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    /** Starts {@code fedfms <mode> --config <config>} of {@link #product()} with {@link #jvmOptions}. */
    static ProductProcess start(String name, String mode, Path config, Path log, Path workdir) throws IOException {
        return start(name, product(), mode, config, log, jvmOptions(workdir));
    }

    /** Starts {@code <product>/fedfms <mode> --config <config>} with the given extra JVM options. */
    static ProductProcess start(String name, Path product, String mode, Path config, Path log, List<String> jvmOptions)
            throws IOException {
        Path launcher = product.resolve("fedfms");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no product launcher at " + launcher + " (build the product first: "
                    + "./mvnw verify -pl product -am)");
        }
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), mode, "--config", config.toString());
        Map<String, String> env = pb.environment();
        env.put("FEDFMS_JAVA_OPTS", String.join(" ", jvmOptions));
        env.put("FEDFMS_THREADS", "1");
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        env.put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ProductProcess(name, pb.start(), log);
    }

    String name() {
        return name;
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** The exit status, waiting up to {@code timeout} for the process to end; fails if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + timeout.toSeconds() + " s:\n" + tail());
        }
        return process.exitValue();
    }

    /** Current length of the log, to look for lines written after this point. */
    long mark() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The first match of {@code pattern} in the log after {@code mark}, waiting up to {@code timeout}. */
    Matcher await(Pattern pattern, long mark, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = since(mark);
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m;
            }
            if (!alive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before its log showed /"
                        + pattern + "/:\n" + tail());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for /" + pattern
                        + "/ in the log of " + name + ":\n" + tail());
            }
            Thread.sleep(25);
        }
    }

    private String since(long mark) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(mark, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the log, for failure messages. */
    String tail() {
        String text = since(0);
        String[] lines = text.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
            sb.append("  | ").append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    /**
     * The command line of the JVM the launcher started (its child {@code java} process), read from
     * {@code /proc/PID/cmdline}.
     */
    List<String> jvmCommandLine() throws IOException {
        for (ProcessHandle h : process.descendants().toList()) {
            Path cmdline = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
            if (!Files.isReadable(cmdline)) {
                continue;
            }
            List<String> args = List.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0"));
            if (!args.isEmpty() && args.get(0).endsWith("java")) {
                return args;
            }
        }
        throw new IllegalStateException(name + ": no java process under the launcher (pid " + process.pid() + ")");
    }

    /** Kills the process tree at once with SIGKILL, JVM first, as a crash or {@code kill -9} would. */
    void kill() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(x -> h).join();
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
