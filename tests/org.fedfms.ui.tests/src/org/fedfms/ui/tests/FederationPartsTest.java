package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.jobs.JobProgressControl;
import org.fedfms.ui.internal.parts.ExperimentsPart;
import org.fedfms.ui.internal.parts.RoundsPart;
import org.fedfms.ui.internal.parts.SitesPart;
import org.fedfms.ui.internal.parts.StrategiesPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/**
 * The Experiments, Strategies, Rounds and Sites parts over the real federation engine, with the fixture's
 * {@code fixture} loader and {@code linreg} trainer registered by the shared org.fedfms.testing.fixture bundle.
 */
class FederationPartsTest extends OnFederationShell {

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @BeforeEach
    void largerShell() {
        shell.setSize(1400, 900);
    }

    @AfterEach
    void unregister() {
        registrations.forEach(ServiceRegistration::unregister);
    }

    @Test
    void experimentsPartCreatesAnExperimentFromFormValuesAndRunsOneRound() throws Exception {
        FederationService f = federation();
        String name = fresh(f, "ui-form");
        Ui.make(ExperimentsPart.class, shell);
        shell.open();
        Group spec = Ui.named(shell, Group.class, "spec");
        Ui.waitUntil("the form offers the fixture loader and linreg trainer",
                () -> suggestions(spec, "dataset").contains(FixtureDatasetLoader.ID)
                        && suggestions(spec, "trainer").contains(LinRegTrainerFactory.ID)
                        && suggestions(spec, "strategy").contains("fedavg"),
                () -> suggestions(spec, "dataset") + " " + suggestions(spec, "trainer"));

        type(spec, Map.of("name", name, "model", "linreg", "adapter", "none", "trainer",
                LinRegTrainerFactory.ID, "dataset", FixtureDatasetLoader.ID, "device", "cpu", "learningRate", "0.02",
                "batchSize", "8", "rounds", "3", "roundDeadlineSeconds", "30"));
        Group dataset = Ui.named(shell, Group.class, "dataset");
        Ui.waitUntil("the fixture's settings form shows", () -> input(dataset, "sites") != null);
        type(dataset, Map.of("sites", "3", "trainSamples", "16"));
        type(Ui.named(shell, Group.class, "strategy"), Map.of("weighted", "false"));
        Ui.named(shell, Text.class, "trainer-options").setText("noise=0.1 failSite=none");
        Label validation = Ui.named(shell, Label.class, "validation");
        assertEquals("Ready to create.", validation.getText());

        type(spec, Map.of("learningRate", "fast"));
        assertTrue(validation.getText().contains("'learningRate': 'fast' is not a double"), validation.getText());
        assertEquals(false, Ui.named(shell, Button.class, "create").isEnabled());
        type(spec, Map.of("learningRate", "0.02"));
        assertEquals("Ready to create.", validation.getText());

        Table experiments = Ui.named(shell, Table.class, "experiments");
        Ui.select(Ui.named(shell, Button.class, "create"), true);
        Ui.waitUntil("the new experiment is listed ready", () -> row(experiments, name) != null
                && row(experiments, name).get(1).equals("ready"), () -> row(experiments, name));
        ExperimentSpec created = f.spec(name);
        assertEquals(FixtureDatasetLoader.ID, created.dataset());
        assertEquals(LinRegTrainerFactory.ID, created.trainer());
        assertEquals(3, created.schedule().rounds());
        assertEquals(0.02, created.schedule().learningRate());
        assertEquals(3, ((Number) created.datasetSettings().get("sites")).intValue());
        assertEquals(16, ((Number) created.datasetSettings().get("trainSamples")).intValue());
        assertEquals(false, created.strategySettings().get("weighted"));
        assertEquals(0.1, ((Number) created.trainerOptions().get("noise")).doubleValue());
        assertEquals("none", created.trainerOptions().get("failSite"));

        Ui.select(Ui.named(shell, Button.class, "One round"), true);
        Ui.waitUntil("the list shows one round done", () -> List.of("1/3").equals(
                row(experiments, name).subList(2, 3)), () -> row(experiments, name));
        List<RoundResult> history = f.history(name);
        assertEquals(1, history.size());
        assertEquals(3, history.get(0).okSites());
        assertEquals(16 * 3, history.get(0).sites().stream().mapToLong(SiteRoundResult::sampleCount).sum());
        Ui.waitUntil("the list shows the last evaluation", () -> row(experiments, name).get(6).contains("mse="),
                () -> row(experiments, name));
        List<String> columns = new ArrayList<>();
        for (int c = 0; c < experiments.getColumnCount(); c++) {
            columns.add(experiments.getColumn(c).getText());
        }
        assertEquals(List.of("Experiment", "State", "Rounds", "Protocol", "Strategy", "Start", "Last evaluation",
                "Best (round)", "Message"), columns);
        assertEquals("random initialisation", row(experiments, name).get(5), "the starting point recorded");
        assertEquals("-", row(experiments, name).get(7), "linreg reports no Dice: no best round");
        screenshot(shell, "experiments-table.png");
    }

    /** The shell as the display shows it, as a PNG under target/screenshots (for a person to look at). */
    static void screenshot(org.eclipse.swt.widgets.Shell shell, String file) {
        Ui.pump(200);
        org.eclipse.swt.graphics.Rectangle r = shell.getBounds();
        org.eclipse.swt.graphics.Image image = new org.eclipse.swt.graphics.Image(shell.getDisplay(), r.width,
                r.height);
        org.eclipse.swt.graphics.GC gc = new org.eclipse.swt.graphics.GC(shell.getDisplay());
        try {
            gc.copyArea(image, r.x, r.y);
            java.nio.file.Path dir = java.nio.file.Path.of("target", "screenshots");
            java.nio.file.Files.createDirectories(dir);
            org.eclipse.swt.graphics.ImageLoader loader = new org.eclipse.swt.graphics.ImageLoader();
            loader.data = new org.eclipse.swt.graphics.ImageData[] {image.getImageData()};
            loader.save(dir.resolve(file).toString(), SWT.IMAGE_PNG);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            gc.dispose();
            image.dispose();
        }
    }

    /** The cells of the experiment's row, or null when it is not listed; selects the row, as a click would. */
    private static List<String> row(Table table, String name) {
        for (int i = 0; i < table.getItemCount(); i++) {
            TableItem item = table.getItem(i);
            if (item.getText(0).equals(name)) {
                table.setSelection(i);
                table.notifyListeners(SWT.Selection, new Event());
                List<String> cells = new ArrayList<>();
                for (int c = 0; c < table.getColumnCount(); c++) {
                    cells.add(item.getText(c));
                }
                return cells;
            }
        }
        return null;
    }

    /** The first control of that type under {@code area}, depth first. */
    private static <T extends Control> T first(Composite area, Class<T> type) {
        for (Control c : area.getChildren()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c instanceof Composite child) {
                T found = first(child, type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The charts drawn under {@code area}, in the order of the control tree. */
    private static List<LineChart> charts(Composite area) {
        List<LineChart> list = new ArrayList<>();
        for (Control c : area.getChildren()) {
            if (LineChart.of(c) != null) {
                list.add(LineChart.of(c));
            } else if (c instanceof Composite child) {
                list.addAll(charts(child));
            }
        }
        return list;
    }

    /** The input of a setting in a settings form under {@code area}, or null. */
    private static Control input(Composite area, String key) {
        for (Control c : area.getChildren()) {
            if (key.equals(c.getData(SettingsForm.class.getName()))) {
                return c;
            }
            if (c instanceof Composite child) {
                Control found = input(child, key);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static List<String> suggestions(Composite area, String key) {
        return List.of(((Combo) input(area, key)).getItems());
    }

    /** Types values into a settings form's inputs, as the user would. */
    private static void type(Composite area, Map<String, String> values) {
        values.forEach((key, value) -> {
            Control c = input(area, key);
            assertNotNull(c, "no input '" + key + "'");
            if (c instanceof Button b) {
                Ui.select(b, Boolean.parseBoolean(value));
            } else if (c instanceof Combo combo && (combo.getStyle() & SWT.READ_ONLY) != 0) {
                combo.select(List.of(combo.getItems()).indexOf(value));
                combo.notifyListeners(SWT.Selection, new Event());
            } else if (c instanceof Combo combo) {
                combo.setText(value);
            } else if (c instanceof Spinner spinner) {
                spinner.setSelection(Integer.parseInt(value));
                spinner.notifyListeners(SWT.Modify, new Event());
            } else {
                ((Text) c).setText(value);
            }
        });
    }

    @Test
    void theRunJobShowsEachSitesBatchAndEtaOfTheCurrentRoundOnly() throws Exception {
        FederationService f = federation();
        String name = fresh(f, "ui-run-progress");
        // site-2 sleeps before its first batch in every round: while it does, round 2 has no batch of it to show
        f.create(spec(name).rounds(2).trainerOptions(Map.of("slowSite", "site-2", "slowMillis", 8000)).build());
        SashForm sash = new SashForm(shell, SWT.VERTICAL);
        Ui.make(ExperimentsPart.class, new Composite(sash, SWT.NONE));
        Ui.make(JobProgressControl.class, new Composite(sash, SWT.NONE));
        shell.layout(true, true);
        shell.open();
        Table experiments = Ui.named(shell, Table.class, "experiments");
        Ui.waitUntil("the experiment is listed", () -> row(experiments, name) != null);

        Ui.select(Ui.named(shell, Button.class, "Start"), true);
        Ui.waitUntil("round 1 is done", () -> f.status(name).completedRounds() == 1);
        // 24 samples a site in batches of 8: 3 batches, the last one leaves nothing to wait for
        Pattern line = Pattern.compile("Start " + name + ": round 2 of 2(, last evaluation [^|]+)? \\| "
                + "site-0 batch 3/3, ETA 0:00, site-1 batch 3/3, ETA 0:00, site-3 batch 3/3, ETA 0:00");
        Ui.waitUntil("the progress line shows the three prompt sites' last batch of round 2, without site-2",
                () -> line.matcher(sortedSites(Ui.named(shell, Label.class, "jobs.status").getText())).matches(),
                () -> Ui.named(shell, Label.class, "jobs.status").getText());
    }

    /** The progress line with the sites after its '|' in site order (the engine keeps them in a map). */
    private static String sortedSites(String text) {
        int bar = text.indexOf(" | ");
        return bar < 0 ? text : text.substring(0, bar + 3) + String.join(", ",
                Arrays.stream(text.substring(bar + 3).split(", (?=site-)")).sorted().toList());
    }

    @Test
    void choosingAStrategySwapsItIntoTheRunningExperimentAtTheNextRound() throws Exception {
        FederationService f = federation();
        String name = fresh(f, "ui-swap");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(AggregationStrategy.ID_PROPERTY, QuorumMeanStrategy.ID);
        registrations.add(Ui.context().registerService(AggregationStrategy.class, new QuorumMeanStrategy(), props));
        f.create(spec(name).rounds(100_000).trainerOptions(Map.of("fitDelayMillis", 20)).build());

        SashForm sash = new SashForm(shell, SWT.HORIZONTAL);
        Composite strategiesArea = new Composite(sash, SWT.NONE);
        StrategiesPart strategies = Ui.make(StrategiesPart.class, strategiesArea);
        RoundsPart rounds = Ui.make(RoundsPart.class, new Composite(sash, SWT.NONE));
        shell.layout(true, true);
        shell.open();
        Table strategyTable = Ui.named(strategiesArea, Table.class, "strategies");
        Ui.waitUntil("quorum-mean is listed", () -> Ui.selectRow(strategyTable, QuorumMeanStrategy.ID),
                () -> Ui.firstColumn(strategyTable));
        Ui.form(strategiesArea).setValues(Map.of("quorum", "3", "weightExponent", "0.5"));
        rounds.show(name);

        f.start(name);
        Ui.waitUntil("two rounds ran with fedavg", () -> f.status(name).completedRounds() >= 2);
        Combo experiment = Ui.named(strategiesArea, Combo.class, "strategies.experiment");
        experiment.notifyListeners(SWT.MouseDown, new Event()); // opening the list re-reads the experiments
        assertTrue(experiment.indexOf(name) >= 0);
        experiment.select(experiment.indexOf(name));
        ExperimentStatus after = strategies.useInExperiment(name);
        assertEquals(QuorumMeanStrategy.ID, after.strategyId());
        int swappedAt = after.completedRounds() + 1;

        Ui.waitUntil("a round aggregated by quorum-mean completed",
                () -> f.history(name).stream().anyMatch(r -> r.strategyId().equals(QuorumMeanStrategy.ID)));
        f.pause(name);
        List<RoundResult> history = f.history(name);
        RoundResult first = history.stream().filter(r -> r.strategyId().equals(QuorumMeanStrategy.ID)).findFirst()
                .orElseThrow();
        assertTrue(first.round() >= swappedAt && first.round() <= swappedAt + 1, "swap asked before round "
                + swappedAt + ", took effect in round " + first.round());
        assertTrue(first.note().contains("-> " + QuorumMeanStrategy.ID) && first.note().contains("quorum=3"),
                first.note());
        assertEquals(3, ((Number) first.strategySettings().get("quorum")).intValue());
        assertEquals(0.5, ((Number) first.strategySettings().get("weightExponent")).doubleValue());
        assertTrue(history.stream().filter(r -> r.round() < first.round()).allMatch(r -> r.strategyId().equals("fedavg")));

        Ui.waitUntil("the Rounds part notes the swap in its history", () -> rounds.rows().stream()
                .anyMatch(r -> r.round() == first.round() && r.strategy().equals(QuorumMeanStrategy.ID)
                        && r.note().equals(first.note())), rounds::rows);
    }

    @Test
    void roundsAndSitesPartsShowARoundsMetricsAndSiteStates() throws Exception {
        FederationService f = federation();
        String name = fresh(f, "ui-rounds");
        f.create(spec(name).trainerOptions(Map.of("failSite", "site-2")).build());

        SashForm sash = new SashForm(shell, SWT.VERTICAL);
        Composite roundsArea = new Composite(sash, SWT.NONE);
        RoundsPart rounds = Ui.make(RoundsPart.class, roundsArea);
        Ui.make(SitesPart.class, new Composite(sash, SWT.NONE));
        Table sites = Ui.named(shell, Table.class, "sites.table");
        shell.layout(true, true);
        shell.open();
        rounds.show(name);
        assertEquals(List.of(), rounds.rows());
        Table roundsTable = first(roundsArea, Table.class);
        List<LineChart> charts = charts(roundsArea);
        assertEquals(3, charts.size(), "the loss, evaluation and bytes charts");
        LineChart lossChart = charts.get(0);
        LineChart evaluationChart = charts.get(1);
        LineChart bytesChart = charts.get(2);
        assertEquals(0, roundsTable.getItemCount());

        RoundResult result = f.runRound(name);
        Ui.waitUntil("the round's row shows", () -> rounds.rows().size() == 1, rounds::rows);
        RoundsPart.Row row = rounds.rows().get(0);
        assertEquals(1, row.round());
        assertEquals("fedavg", row.strategy());
        assertEquals("3/4", row.sites());
        assertEquals(result.bytesDown(), row.bytesDown());
        assertEquals(result.bytesUp(), row.bytesUp());
        assertTrue(row.bytesDown() > 0 && row.bytesUp() > 0, row.toString());
        assertEquals(1, roundsTable.getItemCount());
        assertEquals(Long.toString(result.bytesUp()), roundsTable.getItem(0).getText(7));

        double loss = result.fitMetrics().get("loss").orElseThrow();
        LineChart.Series globalLoss = lossChart.series().get(0);
        assertEquals("global", globalLoss.name());
        assertEquals(1, globalLoss.points().size());
        assertEquals(1.0, globalLoss.points().get(0)[0]);
        assertEquals(loss, globalLoss.points().get(0)[1]);
        assertEquals(List.of("global", "site-0", "site-1", "site-3"),
                lossChart.series().stream().map(LineChart.Series::name).toList(),
                "the failed site has no loss");
        double mse = result.evaluationMetrics().get("mse").orElseThrow();
        assertEquals("Evaluation mse per round", evaluationChart.title());
        assertEquals(mse, evaluationChart.series().get(0).points().get(0)[1]);
        assertEquals((double) (result.bytesDown() + result.bytesUp()),
                bytesChart.series().get(0).points().get(0)[1]);

        Ui.waitUntil("the Sites part shows the four sites of round 1",
                () -> siteRowsOfRound(sites, 1) == 4, () -> siteRows(sites));
        assertTrue(Ui.named(shell, Label.class, "sites.heading").getText()
                .startsWith("Experiment " + name + ", round 1"), Ui.named(shell, Label.class, "sites.heading").getText());
        for (List<String> r : siteRows(sites)) {
            if (r.get(0).equals("site-2")) {
                assertEquals("failed", r.get(1));
                assertTrue(r.get(6).contains("simulated failure in round 1"), r.get(6));
            } else {
                assertEquals("done", r.get(1), r.toString());
                assertEquals("24", r.get(3));
                assertTrue(r.get(4).startsWith("loss="), r.get(4));
            }
        }

        f.runRound(name);
        Ui.waitUntil("the second round's row shows", () -> rounds.rows().size() == 2, rounds::rows);
        assertEquals(2, lossChart.series().get(0).points().size());
        Ui.waitUntil("the Sites part moves to round 2", () -> siteRowsOfRound(sites, 2) == 4,
                () -> siteRows(sites));
    }

    /** The Sites table's rows as cells: site, state, round, samples, fit metrics, duration, reason. */
    private static List<List<String>> siteRows(Table sites) {
        List<List<String>> rows = new ArrayList<>();
        for (TableItem item : sites.getItems()) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < sites.getColumnCount(); c++) {
                cells.add(item.getText(c));
            }
            rows.add(cells);
        }
        return rows;
    }

    /** How many rows the Sites table shows, when all show {@code round} and none is still training; else -1. */
    private static int siteRowsOfRound(Table sites, int round) {
        List<List<String>> rows = siteRows(sites);
        boolean settled = rows.stream().allMatch(r -> r.get(2).equals(Integer.toString(round))
                && !r.get(1).equals("training"));
        return settled ? rows.size() : -1;
    }
}
