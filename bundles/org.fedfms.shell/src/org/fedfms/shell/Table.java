package org.fedfms.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * A command result made of rows and named columns: usable as data in Gogo pipelines and scripts
 * ({@code ($t rows)}, {@code ($t column id)}), printed as an aligned table.
 */
public final class Table {

    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows;

    public Table(String title, List<String> headers, List<List<String>> rows) {
        this.title = title == null ? "" : title;
        this.headers = List.copyOf(headers);
        this.rows = rows.stream().map(List::copyOf).toList();
        for (List<String> r : this.rows) {
            if (r.size() != this.headers.size()) {
                throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, expected "
                        + this.headers.size());
            }
        }
    }

    public String title() {
        return title;
    }

    public List<String> headers() {
        return headers;
    }

    public List<List<String>> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }

    /** The cells of one column, by header name. */
    public List<String> column(String header) {
        int i = headers.indexOf(header);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + header + "' (columns: " + headers + ")");
        }
        List<String> c = new ArrayList<>();
        rows.forEach(r -> c.add(r.get(i)));
        return c;
    }

    @Override
    public String toString() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                for (String line : r.get(i).split("\n", -1)) {
                    width[i] = Math.max(width[i], line.length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!title.isEmpty()) {
            sb.append(title).append('\n');
        }
        appendRow(sb, headers, width);
        for (int i = 0; i < width.length; i++) {
            sb.append("-".repeat(width[i])).append(i + 1 < width.length ? "  " : "\n");
        }
        for (List<String> r : rows) {
            appendRow(sb, r, width);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] width) {
        String[][] lines = new String[cells.size()][];
        int height = 1;
        for (int i = 0; i < cells.size(); i++) {
            lines[i] = cells.get(i).split("\n", -1);
            height = Math.max(height, lines[i].length);
        }
        for (int l = 0; l < height; l++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                String cell = l < lines[i].length ? lines[i][l] : "";
                line.append(cell);
                if (i + 1 < cells.size()) {
                    line.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
