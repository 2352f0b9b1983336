package org.fedfms.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.Parser;
import org.apache.felix.gogo.runtime.Token;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
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
 * on until {@code exit} or end of input.
 */
@Component(immediate = true)
public class BatchRunner {

    /** System property: Gogo statements to run. */
    public static final String EXEC = "fedfms.exec";
    /** System property: a Gogo script file to run. */
    public static final String SCRIPT = "fedfms.script";
    /** System property: read statements from standard input, interactively. */
    public static final String INTERACTIVE = "fedfms.interactive";

    private final BundleContext context;
    private final CommandProcessor processor;
    /*
     * The process's own streams: Gogo redirects System.in/out/err to the session of the current
     * thread, so a session built on System.out would write into itself.
     */
    private final java.io.InputStream stdin = new java.io.FileInputStream(java.io.FileDescriptor.in);
    private final PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
    private final PrintStream stderr = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);

    @Activate
    public BatchRunner(BundleContext context, @Reference CommandProcessor processor) {
        this.context = context;
        this.processor = processor;
        String exec = context.getProperty(EXEC);
        String script = context.getProperty(SCRIPT);
        if (Boolean.parseBoolean(context.getProperty(INTERACTIVE))) {
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
                rc = run(text, file.toString());
            } else {
                rc = run(exec, null);
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
            rc = readEvalPrint(new java.io.BufferedReader(new java.io.InputStreamReader(stdin,
                    java.nio.charset.Charset.defaultCharset())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            stderr.println("fedfms: cannot read the console: " + e.getMessage());
            rc = 2;
        }
        shutdown(rc);
    }

    /** Reads statements until end of input or {@code exit [N]}; returns the exit code asked for. */
    int readEvalPrint(java.io.BufferedReader in) throws IOException {
        PrintStream out = stdout;
        PrintStream err = stderr;
        out.println("FedFMS shell. 'help' lists the commands, 'help NAME' explains one; 'exit' leaves.");
        try (CommandSession session = processor.createSession(stdin, out, err)) {
            StringBuilder pending = new StringBuilder();
            while (true) {
                out.print(pending.length() == 0 ? "fedfms> " : "   ...> ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    return 0;
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
                    print(session, result, out);
                } catch (Exception e) {
                    err.println("error: " + message(e));
                }
            }
        }
    }

    /** Runs {@code program} statement by statement; 0 if every statement succeeded, else 1. */
    int run(String program, String source) {
        PrintStream out = stdout;
        PrintStream err = stderr;
        try (CommandSession session = processor.createSession(stdin, out, err)) {
            List<Statement> statements;
            try {
                statements = statements(program);
            } catch (RuntimeException e) {
                err.println("fedfms: " + where(source, null) + "syntax error: " + e.getMessage());
                return 1;
            }
            for (Statement statement : statements) {
                Object result;
                try {
                    result = session.execute(statement.text());
                } catch (Exception e) {
                    err.println("fedfms: " + where(source, statement) + "'" + oneLine(statement.text()) + "' failed: "
                            + message(e));
                    return 1;
                }
                print(session, result, out);
            }
            return 0;
        }
    }

    /** Prints a result the way Gogo formats it; nothing for null or a list of nulls (a loop's result). */
    private static void print(CommandSession session, Object result, PrintStream out) {
        if (result == null || result instanceof java.util.Collection<?> c && c.stream().allMatch(x -> x == null)) {
            return;
        }
        out.println(session.format(result, Converter.INSPECT).toString().stripTrailing());
    }

    /** One top-level statement of a program and the line it starts on (0-based). */
    private record Statement(String text, int line) {
    }

    /**
     * Splits a program at its top-level separators ({@code ;} and new lines); statements joined by
     * {@code &&}, {@code ||} or {@code |} stay together.
     */
    static List<Statement> statements(String program) {
        Parser.Program p = new Parser(program).program();
        List<Statement> list = new ArrayList<>();
        Parser.Executable first = null;
        Parser.Executable last = null;
        for (Parser.Executable e : p.tokens()) {
            boolean separator = e instanceof Parser.Operator
                    && (Token.eq(";", e) || Token.eq("\n", e) || e.toString().isBlank());
            if (separator) {
                if (first != null) {
                    list.add(chunk(program, first, last));
                }
                first = null;
                last = null;
            } else {
                if (first == null) {
                    first = e;
                }
                last = e;
            }
        }
        if (first != null) {
            list.add(chunk(program, first, last));
        }
        return list;
    }

    private static Statement chunk(String program, Parser.Executable first, Parser.Executable last) {
        return new Statement(program.substring(first.start(), last.start() + last.length()), first.line());
    }

    private static String where(String source, Statement statement) {
        if (source == null) {
            return "";
        }
        return source + (statement == null ? "" : ":" + (statement.line() + 1)) + ": ";
    }

    private static String oneLine(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }

    private static String message(Throwable e) {
        while ((e instanceof java.lang.reflect.InvocationTargetException
                || e instanceof java.lang.reflect.UndeclaredThrowableException) && e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m += " (" + c.getMessage() + ")";
        }
        return m;
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
