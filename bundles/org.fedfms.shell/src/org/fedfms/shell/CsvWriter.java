package org.fedfms.shell;

import java.util.List;

/**
 * Writes a {@link DataTable} as CSV (RFC 4180): a header line, then one line per row; fields holding a
 * comma, quote or line break are quoted. Numbers keep every digit ({@link Double#toString}), byte
 * counts are plain integers, absent cells are empty.
 */
public final class CsvWriter {

    private CsvWriter() {
    }

    /** The table as CSV text, lines ending in {@code \n}. */
    public static String toCsv(DataTable table) {
        StringBuilder sb = new StringBuilder();
        appendLine(sb, List.copyOf(table.headers()));
        for (List<Object> row : table.rows()) {
            appendLine(sb, row);
        }
        return sb.toString();
    }

    /** One cell as CSV text, before quoting. */
    public static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof DataTable.ByteCount b) {
            return Long.toString(b.bytes());
        }
        if (value instanceof Double d) {
            return Double.toString(d);
        }
        if (value instanceof Float f) {
            return Float.toString(f);
        }
        return value.toString();
    }

    private static void appendLine(StringBuilder sb, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(cell(cells.get(i))));
        }
        sb.append('\n');
    }

    /** The field quoted if it must be. */
    public static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
