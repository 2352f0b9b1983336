package org.fedfms.shell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Rows of typed cells under named columns: numbers stay numbers, so the same rows become a console
 * {@link Table} (rounded, sizes in kB/MB) and a CSV file (every digit, raw byte counts) through
 * {@link CsvWriter}. Cells are {@link Number}s, {@link ByteCount}s, text, or {@code null} for "not
 * present".
 *
 * @param title one line (or more) above the table; may be empty
 * @param headers column names
 * @param rows cells, as many per row as there are headers
 */
public record DataTable(String title, List<String> headers, List<List<Object>> rows) {

    /** A number of bytes: shown as {@code 44.8 MB}, written to CSV as the plain count. */
    public record ByteCount(long bytes) {
        @Override
        public String toString() {
            if (bytes < 1000 && bytes > -1000) {
                return bytes + " B";
            }
            String[] units = {"kB", "MB", "GB", "TB", "PB"};
            double v = bytes;
            int u = -1;
            while (Math.abs(v) >= 1000 && u + 1 < units.length) {
                v /= 1000;
                u++;
            }
            return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
        }
    }

    public DataTable {
        title = title == null ? "" : title;
        headers = List.copyOf(headers);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != headers.size()) {
                throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, expected "
                        + headers.size() + " " + headers);
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = Collections.unmodifiableList(copy);
    }

    /** The cells of one column, by header name. */
    public List<Object> column(String header) {
        int i = headers.indexOf(header);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + header + "' (columns: " + headers + ")");
        }
        List<Object> c = new ArrayList<>();
        rows.forEach(r -> c.add(r.get(i)));
        return c;
    }

    /** The rows formatted for the console. */
    public Table toTable() {
        List<List<String>> text = new ArrayList<>();
        for (List<Object> r : rows) {
            List<String> cells = new ArrayList<>();
            r.forEach(c -> cells.add(format(c)));
            text.add(cells);
        }
        return new Table(title, headers, text);
    }

    /**
     * One cell as the console shows it: {@code -} for absent, four significant digits for fractional
     * numbers ({@code nan} for NaN), whole numbers and byte counts as they are.
     */
    public static String format(Object cell) {
        if (cell == null) {
            return "-";
        }
        if (cell instanceof Double || cell instanceof Float) {
            double d = ((Number) cell).doubleValue();
            if (Double.isNaN(d)) {
                return "nan";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "inf" : "-inf";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e6) {
                return Long.toString((long) d);
            }
            return String.format(Locale.ROOT, "%.4g", d);
        }
        return cell.toString();
    }

    @Override
    public String toString() {
        return toTable().toString();
    }
}
