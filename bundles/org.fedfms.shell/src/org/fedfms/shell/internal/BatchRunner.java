package org.fedfms.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.Parser;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Job;
import org.fedfms.federation.FedfmsHome;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The console modes of the launcher: {@code fedfms exec 'CMD; CMD'} (system property
 * {@value #EXEC}), {@code fedfms run FILE} ({@value #SCRIPT}) and {@code fedfms shell}
 * ({@value #INTERACTIVE}). Once the framework has started, runs each statement through Gogo and
 * prints each result. A batch stops at the first failure with a message naming the statement (and
 * line) and ends the JVM with exit code 0 or 1; the interactive shell reports the failure and reads
 * on until {@code exit} or end of input, on a terminal with line editing, completion and a history kept in
 * the FedFMS home. System properties {@value #VARIABLE_PREFIX}NAME set Gogo
 * variables first. Ctrl-C interrupts the running statement (a running experiment is cancelled
 * cleanly); a second one, or one while nothing runs, ends the process with exit code 130.
 */
@Component(immediate = true)
public class BatchRunner {

    /** System property: Gogo statements to run. */
    public static final String EXEC = "fedfms.exec";
    /** System property: a Gogo script file to run. */
    public static final String SCRIPT = "fedfms.script";
    /** System property: read statements from standard input, interactively. */
    public static final String INTERACTIVE = "fedfms.interactive";
    /** Prefix of system properties that set Gogo variables before a script runs: {@code fedfms.var.model=sam-vit-b}. */
    public static final String VARIABLE_PREFIX = "fedfms.var.";
    /** System property: {@code plain} reads the interactive shell's lines without JLine, even on a terminal. */
    public static final String CONSOLE = "fedfms.console";
    /** The interactive shell's history, in the FedFMS home. */
    public static final String HISTORY = "history";

    private final BundleContext context;
    private final CommandProcessor processor;
    /*
     * The process's own streams: Gogo redirects System.in/out/err to the session of the current
     * thread, so a session built on System.out would write into itself.
     */
    private final java.io.InputStream stdin = new java.io.FileInputStream(java.io.FileDescriptor.in);
    private final PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
    private final PrintStream stderr = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
    private final ScriptRunner batch;
    private volatile CommandSession interactiveSession;
    private volatile Job interrupted;

    @Activate
    public BatchRunner(BundleContext context, @Reference CommandProcessor processor) {
        this.context = context;
        this.processor = processor;
        this.batch = new ScriptRunner(processor, stdin, stdout, stderr);
        String exec = context.getProperty(EXEC);
        String script = context.getProperty(SCRIPT);
        boolean interactive = Boolean.parseBoolean(context.getProperty(INTERACTIVE));
        if (interactive || exec != null || script != null) {
            ConsoleInterrupt.install(this::onInterrupt);
        }
        if (interactive) {
            Thread t = new Thread(this::interactive, "fedfms-shell");
            t.setDaemon(false);
            t.start();
        } else if (exec != null || script != null) {
            Thread t = new Thread(() -> runAndExit(exec, script), "fedfms-batch");
            t.setDaemon(false);
            t.start();
        }
    }

    private void runAndExit(String exec, String script) {
        int rc;
        try {
            awaitFrameworkStarted();
            if (script != null) {
                Path file = Path.of(script);
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new BatchException("cannot read script " + file + ": " + e);
                }
                rc = batch.run(text, file.toString(), variables());
            } else {
                rc = batch.run(exec, null, variables());
            }
        } catch (BatchException e) {
            stderr.println("fedfms: " + e.getMessage());
            rc = 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rc = 130;
        }
        stdout.flush();
        stderr.flush();
        shutdown(rc);
    }

    private void interactive() {
        int rc = 0;
        try {
            awaitFrameworkStarted();
            rc = readEvalPrint(this::openConsole);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            stderr.println("fedfms: cannot read the console: " + e.getMessage());
            rc = 2;
        }
        shutdown(rc);
    }

    /**
     * JLine when the process runs on a terminal (unless {@value #CONSOLE}{@code =plain}), else plain lines
     * from standard input. The history is the file {@value #HISTORY} in the FedFMS home.
     */
    private ConsoleLines openConsole(CommandSession completion) throws IOException {
        boolean terminal = System.console() != null && !"plain".equals(context.getProperty(CONSOLE));
        if (!terminal) {
            return ConsoleLines.plain(stdin, stdout);
        }
        CommandCompleter completer = new CommandCompleter(new CommandIndex(context), completion);
        return ConsoleLines.terminal(FedfmsHome.directory(context::getProperty).resolve(HISTORY), completer,
                this::onInterrupt, stderr);
    }

    /** Opens the console's line source, given a session of its own for completion. */
    @FunctionalInterface
    interface ConsoleOpener {
        ConsoleLines open(CommandSession completion) throws IOException;
    }

    /** Reads statements until end of input or {@code exit [N]}; returns the exit code asked for. */
    int readEvalPrint(ConsoleOpener opener) throws IOException {
        PrintStream out = stdout;
        PrintStream err = stderr;
        out.println("FedFMS shell. 'help' lists the commands, 'help NAME' explains one; 'exit' leaves.");
        try (CommandSession session = processor.createSession(stdin, out, err);
                CommandSession completion = processor.createSession(stdin, out, err);
                ConsoleLines in = opener.open(completion)) {
            variables().forEach(session::put);
            interactiveSession = session;
            StringBuilder pending = new StringBuilder();
            while (true) {
                String line = in.readLine(pending.length() == 0 ? "fedfms> " : "   ...> ");
                if (line == null) {
                    out.println();
                    return 0;
                }
                if (line.equals(ConsoleLines.INTERRUPTED)) {
                    if (pending.length() == 0) {
                        return 130;
                    }
                    pending.setLength(0);
                    continue;
                }
                pending.append(line).append('\n');
                String text = pending.toString();
                if (text.isBlank()) {
                    pending.setLength(0);
                    continue;
                }
                try {
                    new Parser(text).program();
                } catch (org.apache.felix.gogo.runtime.EOFError incomplete) {
                    continue;
                } catch (RuntimeException syntax) {
                    err.println("syntax error: " + syntax.getMessage());
                    pending.setLength(0);
                    continue;
                }
                pending.setLength(0);
                String stripped = text.strip();
                if (stripped.equals("exit") || stripped.startsWith("exit ")) {
                    String code = stripped.substring(4).strip();
                    return code.matches("\\d+") ? Integer.parseInt(code) : 0;
                }
                try {
                    Object result = session.execute(text);
                    ScriptRunner.print(session, result, out);
                } catch (Exception e) {
                    err.println("error: " + ScriptRunner.message(e));
                }
            }
        }
    }

    /** The Gogo variables given as system properties {@value #VARIABLE_PREFIX}NAME. */
    static Map<String, String> variables() {
        Map<String, String> vars = new TreeMap<>();
        Properties props = System.getProperties();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(VARIABLE_PREFIX) && key.length() > VARIABLE_PREFIX.length()) {
                vars.put(key.substring(VARIABLE_PREFIX.length()), props.getProperty(key));
            }
        }
        return vars;
    }

    /**
     * Ctrl-C: interrupts the statement running now (a running experiment is then cancelled cleanly); a
     * second Ctrl-C while it still runs, or one with nothing running, ends the process (exit code 130).
     */
    private void onInterrupt() {
        CommandSession s = interactiveSession;
        Job job = s != null ? s.foregroundJob() : batch.foregroundJob();
        if (job != null && job != interrupted) {
            interrupted = job;
            stderr.println();
            stderr.println("fedfms: interrupting the running command (Ctrl-C again to quit)");
            job.interrupt();
            return;
        }
        new Thread(() -> shutdown(130), "fedfms-interrupt").start();
    }

    /**
     * Waits until the framework has reached its beginning start level and every bundle marked to
     * start has started, so that every command is registered before the first statement runs. (The
     * system bundle is ACTIVE long before that, while start levels are still being raised.)
     */
    private void awaitFrameworkStarted() throws InterruptedException {
        Bundle system = context.getBundle(0);
        FrameworkStartLevel fsl = system.adapt(FrameworkStartLevel.class);
        int target = beginningStartLevel();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (fsl.getStartLevel() >= target && allMarkedBundlesStarted(target)) {
                return;
            }
            Thread.sleep(20);
        }
        stderr.println("fedfms: warning: the framework did not finish starting within 120 s; running anyway");
    }

    private int beginningStartLevel() {
        for (String key : new String[] {"osgi.startLevel", "org.osgi.framework.startlevel.beginning"}) {
            String v = context.getProperty(key);
            if (v != null && v.trim().matches("\\d+")) {
                return Integer.parseInt(v.trim());
            }
        }
        return 6;
    }

    private boolean allMarkedBundlesStarted(int target) {
        for (Bundle b : context.getBundles()) {
            BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
            if (b.getBundleId() == 0 || bsl == null || !bsl.isPersistentlyStarted() || bsl.getStartLevel() > target) {
                continue;
            }
            boolean lazyWaiting = b.getState() == Bundle.STARTING && bsl.isActivationPolicyUsed();
            if (b.getState() != Bundle.ACTIVE && !lazyWaiting) {
                return false;
            }
        }
        return true;
    }

    private void shutdown(int rc) {
        Bundle system = context.getBundle(0);
        try {
            system.stop();
            if (system instanceof Framework fw) {
                fw.waitForStop(10_000);
            }
        } catch (Exception e) {
            // exit anyway
        }
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(rc);
        }, "fedfms-exit");
        killer.setDaemon(true);
        killer.start();
        System.exit(rc);
    }

    /** A batch that cannot start (missing script file, ...). */
    private static final class BatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchException(String message) {
            super(message);
        }
    }
}
