package org.fedfms.ui.internal.viewer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.Metrics;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;

/**
 * The viewer's two lists: the sites of the dataset with their sample counts, and the samples of the shown
 * site and split with their Dice, IoU and HD95, sortable by any column.
 */
public final class SampleTables {

    /** A sample as the samples table shows it: its metrics under the shown model. */
    record SampleRow(String sampleId, double dice, double iou, double hd95) {
    }

    private final Table sites;
    private final Table samples;
    private List<SampleMetrics> metrics = List.of();
    private int sortColumn = -1;
    private boolean sortDescending;

    /** Builds both tables, one above the other; a click on a row hands its id on. */
    public SampleTables(Composite parent, Consumer<String> siteChosen, Consumer<String> sampleChosen) {
        SashForm lists = new SashForm(parent, SWT.VERTICAL);
        sites = table(lists, "sites", new String[][] {{"Site", "100"}, {"Train", "50"}, {"Val.", "45"},
            {"Test", "45"}});
        onSelect(sites, siteChosen);
        samples = table(lists, "samples", new String[][] {{"Sample", "110"}, {"Dice", "60"}, {"IoU", "60"},
            {"HD95", "60"}});
        onSelect(samples, sampleChosen);
        for (int c = 0; c < samples.getColumnCount(); c++) {
            int column = c;
            samples.getColumn(c).addListener(SWT.Selection, e -> sortBy(column));
        }
        lists.setWeights(25, 75);
    }

    private static Table table(Composite parent, String name, String[][] columns) {
        Table t = new Table(parent, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        WidgetName.set(t, name);
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        for (String[] col : columns) {
            TableColumn c = new TableColumn(t, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        return t;
    }

    private static void onSelect(Table table, Consumer<String> chosen) {
        table.addListener(SWT.Selection, e -> {
            int i = table.getSelectionIndex();
            if (i >= 0) {
                chosen.accept(table.getItem(i).getText(0));
            }
        });
    }

    /** Lists the sites. */
    public void showSites(List<SiteData> list) {
        sites.removeAll();
        for (SiteData s : list) {
            TableItem item = new TableItem(sites, SWT.NONE);
            item.setText(new String[] {s.siteId(), Integer.toString(s.train().size()),
                Integer.toString(s.validation().size()), Integer.toString(s.test().size())});
        }
    }

    /** Lists no sites and no samples. */
    public void clearSites() {
        sites.removeAll();
        clearSamples();
    }

    /** Lists these samples' metrics in the chosen order. */
    public void showSamples(List<SampleMetrics> list) {
        metrics = List.copyOf(list);
        fill();
    }

    /** Lists no samples. */
    public void clearSamples() {
        metrics = List.of();
        samples.removeAll();
    }

    /** Whether the sample is listed. */
    public boolean listed(String sampleId) {
        return metrics.stream().anyMatch(m -> m.sampleId().equals(sampleId));
    }

    /** The first sample in table order, or null. */
    public String firstSample() {
        List<SampleRow> rows = rows();
        return rows.isEmpty() ? null : rows.get(0).sampleId();
    }

    /**
     * The mean of a metric over the listed samples that have it, NaN if none: a sample where the label is
     * absent from both prediction and truth (NaN) is left out and counted in {@link #emptyCount()}.
     */
    public double mean(String metric) {
        return metrics.stream().mapToDouble(m -> value(m, metric)).filter(v -> !Double.isNaN(v)).average()
                .orElse(Double.NaN);
    }

    /** How many labels of the listed samples were absent from both prediction and truth (left out of means). */
    public int emptyCount() {
        return (int) metrics.stream().mapToDouble(m -> m.metrics().get(Metrics.EMPTY_COUNT).orElse(0)).sum();
    }

    /** The number of listed samples. */
    public int sampleCount() {
        return metrics.size();
    }

    /** Marks the site's row. */
    public void selectSite(String siteId) {
        selectRow(sites, siteId);
    }

    /** Marks the sample's row. */
    public void selectSample(String sampleId) {
        selectRow(samples, sampleId);
    }

    /** Gives the samples table the keyboard focus. */
    public void focus() {
        samples.setFocus();
    }

    private void sortBy(int column) {
        sortDescending = column == sortColumn ? !sortDescending : column == 1 || column == 2;
        sortColumn = column;
        samples.setSortColumn(samples.getColumn(column));
        samples.setSortDirection(sortDescending ? SWT.DOWN : SWT.UP);
        int i = samples.getSelectionIndex();
        String selected = i < 0 ? null : samples.getItem(i).getText(0);
        fill();
        if (selected != null) {
            selectRow(samples, selected);
        }
    }

    private void fill() {
        samples.setRedraw(false);
        try {
            samples.removeAll();
            for (SampleRow r : rows()) {
                TableItem item = new TableItem(samples, SWT.NONE);
                item.setText(new String[] {r.sampleId(), LineChart.format(r.dice()), LineChart.format(r.iou()),
                    LineChart.format(r.hd95())});
            }
        } finally {
            samples.setRedraw(true);
        }
    }

    private List<SampleRow> rows() {
        List<SampleRow> rows = new ArrayList<>();
        for (SampleMetrics m : metrics) {
            rows.add(new SampleRow(m.sampleId(), value(m, "dice"), value(m, "iou"), value(m, "hd95")));
        }
        if (sortColumn >= 0) {
            Comparator<SampleRow> by = switch (sortColumn) {
                case 1 -> Comparator.comparingDouble(SampleRow::dice);
                case 2 -> Comparator.comparingDouble(SampleRow::iou);
                case 3 -> Comparator.comparingDouble(SampleRow::hd95);
                default -> Comparator.comparing(SampleRow::sampleId);
            };
            rows.sort(sortDescending ? by.reversed() : by);
        }
        return rows;
    }

    /** A metric of a sample, NaN if it has none. */
    public static double value(SampleMetrics m, String name) {
        return m.metrics().get(name).orElse(Double.NaN);
    }

    private static void selectRow(Table table, String key) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(0).equals(key)) {
                if (table.getSelectionIndex() != i) {
                    table.setSelection(i);
                }
                return;
            }
        }
    }
}
