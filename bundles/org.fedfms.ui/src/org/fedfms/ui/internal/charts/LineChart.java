package org.fedfms.ui.internal.charts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;

/**
 * A line chart drawn with SWT: x is the round, one line per series, axes with ticks and labels, a
 * legend, and the value of the nearest point as tooltip on hover. Holds only what it is given.
 */
public final class LineChart {

    /** One line: its name and its points (x = round). */
    public record Series(String name, List<double[]> points) {
        public Series {
            points = List.copyOf(points);
        }
    }

    private static final RGB[] PALETTE = {
        new RGB(0, 0, 0), new RGB(31, 119, 180), new RGB(255, 127, 14), new RGB(44, 160, 44), new RGB(214, 39, 40),
        new RGB(148, 103, 189), new RGB(140, 86, 75), new RGB(227, 119, 194), new RGB(127, 127, 127),
        new RGB(188, 189, 34), new RGB(23, 190, 207)};

    private final Canvas canvas;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private String title;
    private String yLabel;
    private String emptyText = "No rounds yet.";
    private Rectangle plot = new Rectangle(0, 0, 0, 0);
    private double xMin;
    private double xMax;
    private double yMin;
    private double yMax;

    public LineChart(Composite parent, String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED);
        canvas.setData(LineChart.class.getName(), this);
        canvas.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        canvas.addPaintListener(e -> paint(e.gc));
        canvas.addListener(SWT.MouseMove, e -> hover(e.x, e.y));
        canvas.addListener(SWT.MouseExit, e -> canvas.setToolTipText(null));
    }

    public Canvas control() {
        return canvas;
    }

    /** The chart a control draws, or null when it draws none. */
    public static LineChart of(Control control) {
        return control.getData(LineChart.class.getName()) instanceof LineChart chart ? chart : null;
    }

    /** Replaces the chart's lines; series keep the order given (the first is drawn black and thick). */
    public void setSeries(String title, String yLabel, List<Series> lines) {
        this.title = title;
        this.yLabel = yLabel;
        series.clear();
        for (Series s : lines) {
            series.put(s.name(), new ArrayList<>(s.points()));
        }
        canvas.redraw();
    }

    /** Text shown when there are no points. */
    public void setEmptyText(String text) {
        emptyText = text;
        canvas.redraw();
    }

    /** The lines shown now. */
    public List<Series> series() {
        List<Series> list = new ArrayList<>();
        series.forEach((k, v) -> list.add(new Series(k, v)));
        return list;
    }

    public String title() {
        return title;
    }

    private void paint(GC gc) {
        Rectangle area = canvas.getClientArea();
        gc.setAntialias(SWT.ON);
        Color fg = canvas.getDisplay().getSystemColor(SWT.COLOR_BLACK);
        Color grid = canvas.getDisplay().getSystemColor(SWT.COLOR_WIDGET_LIGHT_SHADOW);
        Color gray = canvas.getDisplay().getSystemColor(SWT.COLOR_DARK_GRAY);
        gc.setForeground(fg);
        int lineHeight = gc.getFontMetrics().getHeight();
        gc.drawText(title, 8, 4, true);

        List<double[]> all = new ArrayList<>();
        series.values().forEach(pts -> pts.stream().filter(p -> Double.isFinite(p[1])).forEach(all::add));
        if (all.isEmpty()) {
            gc.setForeground(gray);
            gc.drawText(emptyText, 8, 8 + lineHeight, true);
            plot = new Rectangle(0, 0, 0, 0);
            return;
        }
        xMin = all.stream().mapToDouble(p -> p[0]).min().orElse(0);
        xMax = all.stream().mapToDouble(p -> p[0]).max().orElse(1);
        yMin = all.stream().mapToDouble(p -> p[1]).min().orElse(0);
        yMax = all.stream().mapToDouble(p -> p[1]).max().orElse(1);
        if (xMax == xMin) {
            xMin -= 1;
            xMax += 1;
        }
        if (yMax == yMin) {
            double pad = yMax == 0 ? 1 : Math.abs(yMax) * 0.1;
            yMin -= pad;
            yMax += pad;
        }
        double[] yTicks = ticks(yMin, yMax, 5);
        yMin = Math.min(yMin, yTicks[0]);
        yMax = Math.max(yMax, yTicks[yTicks.length - 1]);
        int yLabelWidth = 0;
        for (double t : yTicks) {
            yLabelWidth = Math.max(yLabelWidth, gc.textExtent(format(t)).x);
        }
        // the legend flows in rows under the x axis, so narrow charts keep their plot width
        List<int[]> legendAt = new ArrayList<>();
        int lx = 8;
        int row = 0;
        for (String name : series.keySet()) {
            int w = gc.textExtent(name).x + 34;
            if (lx + w > area.width - 8 && lx > 8) {
                lx = 8;
                row++;
            }
            legendAt.add(new int[] {lx, row});
            lx += w;
        }
        int legendHeight = (row + 1) * (lineHeight + 2);
        int left = 12 + lineHeight + yLabelWidth;
        int top = 10 + lineHeight * 2;
        int right = area.width - 16;
        int bottom = area.height - 12 - lineHeight * 2 - legendHeight;
        plot = new Rectangle(left, top, Math.max(10, right - left), Math.max(10, bottom - top));
        int xLabelWidth = gc.textExtent(format(xMax)).x + 16;
        double[] xTicks = ticks(xMin, xMax, Math.max(1, plot.width / xLabelWidth));
        xTicks = java.util.Arrays.stream(xTicks).filter(x -> x == Math.rint(x) && x >= xMin && x <= xMax).toArray();

        gc.setLineWidth(1);
        for (double t : yTicks) {
            int y = py(t);
            gc.setForeground(grid);
            gc.drawLine(plot.x, y, plot.x + plot.width, y);
            gc.setForeground(fg);
            String label = format(t);
            gc.drawText(label, plot.x - 4 - gc.textExtent(label).x, y - lineHeight / 2, true);
        }
        for (double t : xTicks) {
            int x = px(t);
            gc.setForeground(fg);
            gc.drawLine(x, plot.y + plot.height, x, plot.y + plot.height + 4);
            String label = format(t);
            gc.drawText(label, x - gc.textExtent(label).x / 2, plot.y + plot.height + 5, true);
        }
        gc.setForeground(fg);
        gc.drawLine(plot.x, plot.y, plot.x, plot.y + plot.height);
        gc.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);
        String xLabel = "round";
        gc.drawText(xLabel, plot.x + plot.width / 2 - gc.textExtent(xLabel).x / 2,
                plot.y + plot.height + 5 + lineHeight, true);
        gc.drawText(yLabel, 8, 6 + lineHeight, true);

        int i = 0;
        int legendY = plot.y + plot.height + 8 + lineHeight * 2;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            Color c = new Color(PALETTE[i % PALETTE.length]);
            gc.setForeground(c);
            gc.setBackground(c);
            gc.setLineWidth(i == 0 ? 3 : 1);
            int[] prev = null;
            for (double[] p : e.getValue()) {
                if (!Double.isFinite(p[1])) {
                    prev = null;
                    continue;
                }
                int x = px(p[0]);
                int y = py(p[1]);
                if (prev != null) {
                    gc.drawLine(prev[0], prev[1], x, y);
                }
                gc.fillOval(x - 2, y - 2, 5, 5);
                prev = new int[] {x, y};
            }
            int[] at = legendAt.get(i);
            int ly = legendY + at[1] * (lineHeight + 2);
            gc.drawLine(at[0], ly + lineHeight / 2, at[0] + 18, ly + lineHeight / 2);
            gc.setForeground(fg);
            gc.drawText(e.getKey(), at[0] + 22, ly, true);
            i++;
        }
        gc.setLineWidth(1);
    }

    private int px(double x) {
        return plot.x + (int) Math.round((x - xMin) / (xMax - xMin) * plot.width);
    }

    private int py(double y) {
        return plot.y + plot.height - (int) Math.round((y - yMin) / (yMax - yMin) * plot.height);
    }

    private void hover(int mx, int my) {
        if (plot.width == 0) {
            canvas.setToolTipText(null);
            return;
        }
        String best = null;
        double bestDist = 12 * 12;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            for (double[] p : e.getValue()) {
                if (!Double.isFinite(p[1])) {
                    continue;
                }
                double dx = px(p[0]) - mx;
                double dy = py(p[1]) - my;
                double d = dx * dx + dy * dy;
                if (d <= bestDist) {
                    bestDist = d;
                    best = e.getKey() + ", round " + (long) p[0] + ": " + format(p[1]);
                }
            }
        }
        if (best == null ? canvas.getToolTipText() != null : !best.equals(canvas.getToolTipText())) {
            canvas.setToolTipText(best);
        }
    }

    /** Round tick values covering [min, max], about {@code count} of them, at 1, 2 or 5 times a power of ten. */
    static double[] ticks(double min, double max, int count) {
        double raw = (max - min) / Math.max(1, count);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double f : new double[] {1, 2, 5, 10}) {
            step = f * magnitude;
            if (step >= raw) {
                break;
            }
        }
        double start = Math.floor(min / step) * step;
        double end = Math.ceil(max / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    /** A value as axis labels and tables show it: 4 significant digits, large byte counts scaled. */
    public static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
