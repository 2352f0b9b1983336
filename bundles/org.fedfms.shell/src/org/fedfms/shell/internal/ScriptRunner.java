package org.fedfms.shell.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;

import org.apache.felix.gogo.runtime.Parser;
import org.apache.felix.gogo.runtime.Token;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;

/**
 * Runs a Gogo program statement by statement in one session, printing each result, and stops at the
 * first statement that fails with a message naming the source, line and statement: what
 * {@code fedfms run FILE} and {@code fedfms exec} do. Variables given beforehand are set in the session
 * first, so a script can take parameters ({@code model = ${model:-sam-tiny}}).
 */
public final class ScriptRunner {

    /** {@code name = value} at the start of a statement: an assignment, whose value is not printed. */
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*[A-Za-z_][A-Za-z0-9_.]*\\s+=(\\s|$)");

    private final CommandProcessor processor;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private volatile CommandSession current;

    public ScriptRunner(CommandProcessor processor, InputStream in, PrintStream out, PrintStream err) {
        this.processor = processor;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code program}; 0 if every statement succeeded, else 1.
     *
     * @param source what the program is (a file name) for messages, or {@code null}
     * @param variables Gogo variables set before the first statement
     */
    public int run(String program, String source, Map<String, ?> variables) {
        try (CommandSession session = processor.createSession(in, out, err)) {
            variables.forEach(session::put);
            current = session;
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
                if (!ASSIGNMENT.matcher(statement.text()).find()) {
                    print(session, result, out);
                }
            }
            return 0;
        } finally {
            current = null;
        }
    }

    /** The job of the statement running now ({@link Job#interrupt()} is Ctrl-C), or {@code null}. */
    public Job foregroundJob() {
        CommandSession s = current;
        return s == null ? null : s.foregroundJob();
    }

    /** Prints a result the way Gogo formats it; nothing for null or a list of nulls (a loop's result). */
    static void print(CommandSession session, Object result, PrintStream out) {
        if (result == null || result instanceof java.util.Collection<?> c && c.stream().allMatch(x -> x == null)) {
            return;
        }
        out.println(session.format(result, Converter.INSPECT).toString().stripTrailing());
    }

    /** One top-level statement of a program and the line it starts on (0-based). */
    record Statement(String text, int line) {
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
        String t = s.replace("\\\n", " ").strip().replaceAll("\\s+", " ");
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }

    /** The message of a failed statement: its cause's message, or what kind of failure it was. */
    static String message(Throwable e) {
        while ((e instanceof java.lang.reflect.InvocationTargetException
                || e instanceof java.lang.reflect.UndeclaredThrowableException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof InterruptedException || e instanceof CancellationException) {
            return "interrupted";
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
}
