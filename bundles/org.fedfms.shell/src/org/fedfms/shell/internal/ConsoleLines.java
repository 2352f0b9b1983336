package org.fedfms.shell.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where the interactive shell reads its lines: on a terminal, JLine (line editing, history kept in a
 * file across sessions, Tab completion); from a pipe or file, plain lines from standard input.
 */
interface ConsoleLines extends AutoCloseable {

    /** What {@link #readLine} returns after Ctrl-C on an empty line: the user wants to leave. */
    String INTERRUPTED = "\u0003";

    /** The next line, null at end of input, {@code ""} after Ctrl-C on a line being typed. */
    String readLine(String prompt) throws IOException;

    @Override
    void close();

    /** Plain lines from {@code in}, the prompt written to {@code out}. */
    static ConsoleLines plain(InputStream in, PrintStream out) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()));
        return new ConsoleLines() {
            @Override
            public String readLine(String prompt) throws IOException {
                out.print(prompt);
                out.flush();
                return reader.readLine();
            }

            @Override
            public void close() {
                // standard input stays open for the process
            }
        };
    }

    /**
     * JLine on the process's terminal. Ctrl-C while a command runs calls {@code interrupt}.
     *
     * @param history the history file (created with its directory), or null to keep none
     */
    static ConsoleLines terminal(Path history, CommandCompleter completer, Runnable interrupt, PrintStream err)
            throws IOException {
        Terminal terminal = TerminalBuilder.builder().name("fedfms").system(true).nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build();
        TerminalWidth.track(terminal);
        terminal.handle(Terminal.Signal.INT, signal -> interrupt.run());
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]);
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("fedfms").parser(parser)
                .completer((reader, line, candidates) -> {
                    List<String> words = line.words();
                    for (String c : completer.complete(words, line.wordIndex())) {
                        candidates.add(new Candidate(c, c, null, null, null, null, true));
                    }
                })
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .variable(LineReader.HISTORY_SIZE, 2000)
                .variable(LineReader.HISTORY_FILE_SIZE, 2000);
        if (history != null) {
            try {
                Files.createDirectories(history.getParent());
                builder.variable(LineReader.HISTORY_FILE, history);
            } catch (IOException | RuntimeException e) {
                err.println("fedfms: warning: no history across sessions: cannot create " + history.getParent()
                        + " (" + e.getMessage() + ")");
            }
        }
        LineReader reader = builder.build();
        return new ConsoleLines() {
            @Override
            public String readLine(String prompt) {
                try {
                    return reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    return e.getPartialLine() == null || e.getPartialLine().isEmpty() ? INTERRUPTED : "";
                } catch (EndOfFileException e) {
                    return null;
                }
            }

            @Override
            public void close() {
                try {
                    reader.getHistory().save();
                } catch (IOException | RuntimeException e) {
                    err.println("fedfms: warning: cannot save the history: " + e.getMessage());
                }
                try {
                    terminal.close();
                } catch (IOException e) {
                    // the process ends anyway
                }
            }
        };
    }
}
