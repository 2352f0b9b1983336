package org.fedfms.shell.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.io.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The export's charts, drawn without a display: {@value #DICE} (each site's evaluation Dice per round and
 * the round's mean) and {@value #LOSS} (each site's training loss per round and the mean).
 */
final class RoundCharts {

    static final String DICE = "dice.png";
    static final String LOSS = "loss.png";
    static final String MEAN = "mean";
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private RoundCharts() {
    }

    /** Writes both charts into {@code dir} (atomically); returns the files written. */
    static List<Path> write(String experiment, List<RoundResult> history, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path dice = dir.resolve(DICE);
        Path loss = dir.resolve(LOSS);
        png(dice, chart(experiment + ": Dice per round", "Dice", history, SiteRoundResult::evaluationMetrics,
                RoundResult::evaluationMetrics, "dice", true));
        png(loss, chart(experiment + ": training loss per round", "loss", history, SiteRoundResult::fitMetrics,
                RoundResult::fitMetrics, "loss", false));
        return List.of(dice, loss);
    }

    /** The series of a chart: one per site, in order of first appearance, then the mean; rounds without a value left out. */
    static Map<String, XYSeries> series(List<RoundResult> history, Function<SiteRoundResult, Metrics> site,
            Function<RoundResult, Metrics> round, String metric) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        XYSeries mean = new XYSeries(MEAN);
        for (RoundResult r : history) {
            for (SiteRoundResult s : r.sites()) {
                OptionalDouble v = site.apply(s).get(metric);
                if (v.isPresent() && Double.isFinite(v.getAsDouble())) {
                    series.computeIfAbsent(s.siteId(), XYSeries::new).add(r.round(), v.getAsDouble());
                }
            }
            OptionalDouble m = round.apply(r).get(metric);
            if (m.isPresent() && Double.isFinite(m.getAsDouble())) {
                mean.add(r.round(), m.getAsDouble());
            }
        }
        series.put(MEAN, mean);
        return series;
    }

    private static JFreeChart chart(String title, String axis, List<RoundResult> history,
            Function<SiteRoundResult, Metrics> site, Function<RoundResult, Metrics> round, String metric,
            boolean zeroInView) {
        XYSeriesCollection data = new XYSeriesCollection();
        series(history, site, round, metric).values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "round", axis, data, PlotOrientation.VERTICAL, true,
                false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            boolean isMean = MEAN.equals(data.getSeriesKey(i));
            renderer.setSeriesStroke(i, new BasicStroke(isMean ? 3.5f : 1.5f));
            if (isMean) {
                renderer.setSeriesPaint(i, Color.BLACK);
            }
        }
        plot.setRenderer(renderer);
        ((org.jfree.chart.axis.NumberAxis) plot.getDomainAxis()).setStandardTickUnits(
                org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        // Dice keeps 0 in view; a loss is read by its changes, so its axis spans the values only
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(zeroInView);
        return chart;
    }

    private static void png(Path file, JFreeChart chart) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(bytes, chart, WIDTH, HEIGHT);
        AtomicFiles.write(file, bytes.toByteArray());
    }
}
