package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.privacy.ClientDp;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.services.FederationAccess;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The rounds of one experiment as they complete: charts of the training loss, an evaluation metric (Dice
 * when the trainer reports it) per site and global, and bytes per round, above the round history (round,
 * strategy, note, metrics, bytes, duration). Fed by {@link FederationEvent.RoundCompleted} events; the
 * history comes from {@link FederationService#history}.
 */
public class RoundsPart {

    /** A history row as the table shows it. */
    public record Row(int round, String strategy, String note, String sites, String fit, String evaluation,
            long bytesDown, long bytesUp, long durationMillis) {
    }

    private static final String GLOBAL = "global";

    private FederationAccess federation;
    private Combo experimentCombo;
    private Combo metricCombo;
    private Label status;
    private LineChart lossChart;
    private LineChart evaluationChart;
    private LineChart bytesChart;
    private Table table;
    private String experiment;
    private final List<RoundResult> rounds = new ArrayList<>();
    private CrossSiteView crossSite;

    @Inject
    public RoundsPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new GridLayout(5, false));
        new Label(parent, SWT.NONE).setText("Experiment:");
        experimentCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        GridData comboData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        comboData.widthHint = 180;
        experimentCombo.setLayoutData(comboData);
        experimentCombo.addListener(SWT.Selection, e -> show(experimentCombo.getText()));
        experimentCombo.addListener(SWT.MouseDown, e -> refreshExperiments());
        new Label(parent, SWT.NONE).setText("Evaluation metric:");
        metricCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        metricCombo.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false));
        metricCombo.addListener(SWT.Selection, e -> redraw());
        status = new Label(parent, SWT.NONE);
        WidgetName.set(status, "rounds.status");
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 5, 1));
        Composite charts = new Composite(sash, SWT.NONE);
        GridLayout chartsLayout = new GridLayout(3, true);
        chartsLayout.marginWidth = 0;
        charts.setLayout(chartsLayout);
        lossChart = new LineChart(charts, "Training loss", "loss");
        evaluationChart = new LineChart(charts, "Evaluation", "");
        bytesChart = new LineChart(charts, "Bytes per round", "bytes");
        for (LineChart c : List.of(lossChart, evaluationChart, bytesChart)) {
            c.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        }

        table = new Table(sash, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Round", "55"}, {"Strategy", "110"}, {"Note", "220"}, {"Sites ok", "65"},
            {"Fit metrics", "150"}, {"Evaluation", "170"}, {"Bytes down", "90"}, {"Bytes up", "90"},
            {"Duration", "75"}}) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        crossSite = new CrossSiteView(sash, () -> federation.current());
        sash.setWeights(45, 25, 30);

        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        refreshExperiments();
        if (experiment == null && experimentCombo.getItemCount() > 0) {
            show(experimentCombo.getItem(0));
        } else {
            redraw();
        }
    }

    private void onEvent(FederationEvent event) {
        if (table.isDisposed()) {
            return;
        }
        if (experiment == null || indexOf(event.experiment()) < 0) {
            refreshExperiments();
        }
        if (experiment == null) {
            show(event.experiment());
            return;
        }
        if (!event.experiment().equals(experiment)) {
            return;
        }
        if (event instanceof FederationEvent.RoundCompleted done) {
            RoundResult r = done.result();
            rounds.removeIf(old -> old.round() >= r.round()); // a resumed experiment may redo a round
            rounds.add(r);
            redraw();
            status.setText("round " + r.round() + " completed" + privacy(r)
                    + (r.note().isEmpty() ? "" : ": " + r.note()));
        } else if (event instanceof FederationEvent.RoundStarted started) {
            status.setText("round " + started.round() + " running with " + started.strategyId() + " on "
                    + started.sites().size() + " sites");
        } else if (event instanceof FederationEvent.StrategySwapped swapped) {
            status.setText(swapped.toId() + " replaces " + swapped.fromId() + " from round "
                    + swapped.effectiveRound());
        } else if (event instanceof FederationEvent.ExperimentPaused paused) {
            status.setText("paused: " + paused.message());
        } else if (event instanceof FederationEvent.ExperimentFailed failed) {
            status.setText("failed: " + failed.message());
        } else if (event instanceof FederationEvent.ExperimentCompleted completed) {
            status.setText("completed " + completed.completedRounds() + " rounds");
        }
        status.getParent().layout();
    }

    private int indexOf(String name) {
        return experimentCombo.indexOf(name);
    }

    private void refreshExperiments() {
        FederationService f = federation.current();
        if (f == null) {
            return;
        }
        String[] names = f.experiments().stream().map(ExperimentStatus::name).toArray(String[]::new);
        experimentCombo.setItems(names);
        if (experiment != null) {
            experimentCombo.select(indexOf(experiment));
        }
    }

    /** Shows the rounds of {@code name}: its history now, then each round as it completes. */
    public void show(String name) {
        experiment = name;
        crossSite.show(name);
        rounds.clear();
        refreshExperiments();
        FederationService f = federation.current();
        if (f != null && indexOf(name) >= 0) {
            rounds.addAll(f.history(name));
            status.setText(rounds.size() + " rounds completed"
                    + (rounds.isEmpty() ? "" : privacy(rounds.get(rounds.size() - 1))));
        } else {
            status.setText("");
        }
        redraw();
    }

    private void redraw() {
        if (table.isDisposed()) {
            return;
        }
        Set<String> evalNames = new LinkedHashSet<>();
        rounds.forEach(r -> evalNames.addAll(r.evaluationMetrics().values().keySet()));
        String chosen = metricCombo.getText();
        metricCombo.setItems(evalNames.toArray(String[]::new));
        if (!evalNames.contains(chosen)) {
            chosen = evalNames.contains("dice") ? "dice" : evalNames.stream().findFirst().orElse("");
        }
        metricCombo.select(metricCombo.indexOf(chosen));
        String metric = chosen;

        lossChart.setSeries("Training loss per round", "loss",
                perSite(r -> r.fitMetrics(), SiteRoundResult::fitMetrics, "loss"));
        evaluationChart.setSeries(metric.isEmpty() ? "Evaluation" : "Evaluation " + metric + " per round", metric,
                perSite(r -> r.evaluationMetrics(), SiteRoundResult::evaluationMetrics, metric));
        if (!rounds.isEmpty() && metric.isEmpty()) {
            evaluationChart.setEmptyText("The trainer reported no evaluation metrics.");
        }
        List<double[]> total = new ArrayList<>();
        List<double[]> down = new ArrayList<>();
        List<double[]> up = new ArrayList<>();
        for (RoundResult r : rounds) {
            total.add(new double[] {r.round(), r.bytesDown() + r.bytesUp()});
            down.add(new double[] {r.round(), r.bytesDown()});
            up.add(new double[] {r.round(), r.bytesUp()});
        }
        bytesChart.setSeries("Bytes per round", "bytes", List.of(new LineChart.Series("down + up", total),
                new LineChart.Series("down (to sites)", down), new LineChart.Series("up (from sites)", up)));

        table.setRedraw(false);
        try {
            table.removeAll();
            for (Row row : rows()) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {Integer.toString(row.round()), row.strategy(), row.note(), row.sites(),
                    row.fit(), row.evaluation(), Long.toString(row.bytesDown()), Long.toString(row.bytesUp()),
                    row.durationMillis() + " ms"});
                if (!row.note().isEmpty()) {
                    item.setBackground(table.getDisplay().getSystemColor(SWT.COLOR_INFO_BACKGROUND));
                }
            }
        } finally {
            table.setRedraw(true);
        }
        if (table.getItemCount() > 0) {
            table.showItem(table.getItem(table.getItemCount() - 1)); // the newest round in view
        }
    }

    private List<LineChart.Series> perSite(Function<RoundResult, Metrics> global,
            Function<SiteRoundResult, Metrics> site, String metric) {
        if (metric.isEmpty()) {
            return List.of();
        }
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        lines.put(GLOBAL, new ArrayList<>());
        for (RoundResult r : rounds) {
            OptionalDouble g = global.apply(r).get(metric);
            if (g.isPresent()) {
                lines.get(GLOBAL).add(new double[] {r.round(), g.getAsDouble()});
            }
            for (SiteRoundResult s : r.sites()) {
                OptionalDouble v = site.apply(s).get(metric);
                if (v.isPresent()) {
                    lines.computeIfAbsent(s.siteId(), k -> new ArrayList<>())
                            .add(new double[] {r.round(), v.getAsDouble()});
                }
            }
        }
        List<LineChart.Series> list = new ArrayList<>();
        lines.forEach((k, v) -> list.add(new LineChart.Series(k, v)));
        return list;
    }

    private static String metrics(Metrics m) {
        return m.values().entrySet().stream().map(e -> e.getKey() + "=" + LineChart.format(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** {@code , client DP ε = E at δ = D} for a round that accounts client-side DP, else empty. */
    private static String privacy(RoundResult r) {
        OptionalDouble eps = r.evaluationMetrics().get(ClientDp.EPSILON_METRIC);
        OptionalDouble delta = r.evaluationMetrics().get(ClientDp.DELTA_METRIC);
        return eps.isEmpty() || delta.isEmpty() ? ""
                : String.format(Locale.ROOT, ", client DP ε = %.3f at δ = %.1e", eps.getAsDouble(),
                        delta.getAsDouble());
    }

    /** The history rows shown, oldest first. */
    public List<Row> rows() {
        List<Row> list = new ArrayList<>();
        for (RoundResult r : rounds) {
            long chosen = r.sites().stream().filter(s -> s.status() != SiteRoundResult.Status.SKIPPED).count();
            list.add(new Row(r.round(), r.strategyId(), r.note(), r.okSites() + "/" + chosen, metrics(r.fitMetrics()),
                    metrics(r.evaluationMetrics()), r.bytesDown(), r.bytesUp(), r.durationMillis()));
        }
        return list;
    }

    @Focus
    public void focus() {
        refreshExperiments();
        table.setFocus();
    }

    @PreDestroy
    public void dispose() {
        if (federation != null) {
            federation.close();
        }
    }
}
