package org.fedfms.server.internal;

/**
 * A value that came from a request, made safe to log: control characters (newlines included) are written as
 * escapes, so a caller cannot forge log lines, and long values are cut.
 */
final class LogText {

    private static final int MAX = 300;

    private LogText() {
    }

    /** {@code value} with every control character escaped ({@code \n}, {@code \u001b}, ...), at most 300 characters. */
    static String of(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= MAX) {
                b.append("...(").append(s.length()).append(" characters)");
                break;
            }
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
