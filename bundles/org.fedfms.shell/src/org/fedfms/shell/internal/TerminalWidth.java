package org.fedfms.shell.internal;

import org.jline.terminal.Terminal;

/** How wide the interactive shell's terminal is now (a user may resize it while a run shows its progress). */
final class TerminalWidth {

    /** Columns of a terminal where nothing says how wide it is. */
    static final int DEFAULT_COLUMNS = 80;

    private static volatile Terminal current;

    private TerminalWidth() {
    }

    /** The shell reads its lines from {@code terminal} from now on. */
    static void track(Terminal terminal) {
        current = terminal;
    }

    /** The terminal's columns now, else {@link #DEFAULT_COLUMNS}. */
    static int columns() {
        Terminal t = current;
        int width = t == null ? 0 : t.getWidth();
        return width > 0 ? width : DEFAULT_COLUMNS;
    }
}
