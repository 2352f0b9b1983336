package org.fedfms.federation.internal;

/** The round's messages: where a round failed, what stays unchanged, and a throwable as one line. */
final class RoundMessages {

    private RoundMessages() {
    }

    static String where(Experiment e, int round) {
        return "round " + round + " of experiment '" + e.name + "'";
    }

    static String unchanged(int round) {
        return "The global model is unchanged (that of round " + (round - 1) + ").";
    }

    static String join(String a, String b) {
        return a == null || a.isEmpty() ? b : a + "; " + b;
    }

    static String joinOrNull(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }

    /** A throwable as one line: its message, or its type when it has none, with the cause's message. */
    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        String s = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        Throwable c = t.getCause();
        if (c != null && c != t) {
            String cm = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (!s.contains(cm)) {
                s += " (" + cm + ")";
            }
        }
        return s;
    }
}
