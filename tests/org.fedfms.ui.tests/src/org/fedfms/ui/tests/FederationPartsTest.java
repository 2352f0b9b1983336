package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Shell;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.parts.ExperimentsPart;
import org.fedfms.ui.internal.parts.RoundsPart;
import org.fedfms.ui.internal.parts.SitesPart;
import org.fedfms.ui.internal.parts.StrategiesPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Experiments, Strategies, Rounds and Sites parts over the real federation engine, with the fixture's
 * {@code fixture} loader and {@code linreg} trainer registered by the shared org.fedfms.testing.fixture bundle.
 */
class FederationPartsTest {

    private Shell shell;
    private ServiceTracker<FederationService, FederationService> tracker;
    private final List<String> experiments = new ArrayList<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        Ui.bundle("org.fedfms.strategy.fedavg").start();
        tracker = new ServiceTracker<>(Ui.context(), FederationService.class, null);
        tracker.open();
        shell = Ui.shell();
        shell.setSize(1400, 900);
    }

    @AfterEach
    void close() {
        shell.dispose();
        FederationService f = tracker.getService();
        List<String> present = f.experiments().stream().map(ExperimentStatus::name).toList();
        for (String name : experiments) {
            if (!present.contains(name)) {
                continue;
            }
            if (f.status(name).state() == ExperimentStatus.State.RUNNING) {
                f.cancel(name);
            }
            Ui.waitUntil("experiment " + name + " stops", () -> f.status(name).state() != ExperimentStatus.State.RUNNING);
            f.remove(name, true);
        }
        registrations.forEach(ServiceRegistration::unregister);
        tracker.close();
    }

    private FederationService federation() throws InterruptedException {
        FederationService f = tracker.waitForService(Ui.TIMEOUT_MS);
        assertNotNull(f, "no FederationService");
        Ui.waitUntil("the fixture loader, linreg trainer and fedavg are present",
                () -> f.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                        && f.trainerFactories().stream().anyMatch(t -> t.id().equals(LinRegTrainerFactory.ID))
                        && f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")));
        return f;
    }

    /** A fresh experiment name, removed (with its files) after the test. */
    private String fresh(FederationService f, String name) {
        f.remove(name, true);
        experiments.add(name);
        return name;
    }

    private static ExperimentSpec.Builder spec(String name) {
        return ExperimentSpec.builder(name).dataset(FixtureDatasetLoader.ID).trainer(LinRegTrainerFactory.ID)
                .model("linreg").adapter("none").device("cpu").learningRate(0.02).batchSize(8).rounds(5)
                .roundDeadlineSeconds(30);
    }

    private static void join(Job job) {
        assertNotNull(job);
        Ui.waitUntil("job '" + job.getName() + "' is done", () -> job.getResult() != null);
        assertEquals(IStatus.OK, job.getResult().getSeverity(), job.getResult().toString());
    }

    private static <T extends Record> T only(List<T> rows, java.util.function.Predicate<T> which) {
        List<T> matching = rows.stream().filter(which).toList();
        assertEquals(1, matching.size(), rows.toString());
        return matching.get(0);
    }

    @Test
    void experimentsPartCreatesAnExperimentFromFormValuesAndRunsOneRound() throws Exception {
        FederationService f = federation();
        String name = fresh(f, "ui-form");
        ExperimentsPart part = Ui.make(ExperimentsPart.class, shell);
        shell.open();
        Ui.waitUntil("the form offers the fixture loader and linreg trainer",
                () -> part.suggestions("dataset").contains(FixtureDatasetLoader.ID)
                        && part.suggestions("trainer").contains(LinRegTrainerFactory.ID)
                        && part.suggestions("strategy").contains("fedavg"),
                () -> part.suggestions("dataset") + " " + part.suggestions("trainer"));

        part.specForm().setValues(Map.of("name", name, "model", "linreg", "adapter", "none", "trainer",
                LinRegTrainerFactory.ID, "dataset", FixtureDatasetLoader.ID, "device", "cpu", "learningRate", "0.02",
                "batchSize", "8", "rounds", "3", "roundDeadlineSeconds", "30"));
        Ui.waitUntil("the fixture's settings form shows", () -> part.datasetForm() != null
                && part.datasetForm().values().containsKey("sites"));
        part.datasetForm().setValues(Map.of("sites", "3", "trainSamples", "16"));
        part.strategyForm().setValues(Map.of("weighted", "false"));
        part.trainerOptions().setText("noise=0.1 failSite=none");
        assertEquals(List.of(), part.specForm().problems());

        part.specForm().setValues(Map.of("learningRate", "fast"));
        assertEquals("'learningRate': 'fast' is not a double", part.specForm().problem("learningRate"));
        assertTrue(part.validationText().contains("'learningRate': 'fast' is not a double"), part.validationText());
        part.specForm().setValues(Map.of("learningRate", "0.02"));
        assertEquals("Ready to create.", part.validationText());

        join(part.createFromForm());
        ExperimentSpec created = f.spec(name);
        assertEquals(FixtureDatasetLoader.ID, created.dataset());
        assertEquals(LinRegTrainerFactory.ID, created.trainer());
        assertEquals(3, created.rounds());
        assertEquals(0.02, created.learningRate());
        assertEquals(3, ((Number) created.datasetSettings().get("sites")).intValue());
        assertEquals(16, ((Number) created.datasetSettings().get("trainSamples")).intValue());
        assertEquals(false, created.strategySettings().get("weighted"));
        assertEquals(0.1, ((Number) created.trainerOptions().get("noise")).doubleValue());
        assertEquals("none", created.trainerOptions().get("failSite"));
        Ui.waitUntil("the new experiment is listed ready",
                () -> part.rows().stream().anyMatch(r -> r.name().equals(name) && r.state().equals("ready")),
                part::rows);

        join(part.oneRound(name));
        List<RoundResult> history = f.history(name);
        assertEquals(1, history.size());
        assertEquals(3, history.get(0).okSites());
        assertEquals(16 * 3, history.get(0).sites().stream().mapToLong(SiteRoundResult::sampleCount).sum());
        Ui.waitUntil("the list shows one round done", () -> part.rows().stream()
                .anyMatch(r -> r.name().equals(name) && r.completedRounds() == 1 && r.plannedRounds() == 3),
                part::rows);
        ExperimentsPart.Row row = only(part.rows(), r -> r.name().equals(name));
        assertTrue(row.lastEvaluation().contains("mse="), row.lastEvaluation());
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
        StrategiesPart strategies = Ui.make(StrategiesPart.class, new Composite(sash, SWT.NONE));
        RoundsPart rounds = Ui.make(RoundsPart.class, new Composite(sash, SWT.NONE));
        shell.layout(true, true);
        shell.open();
        Ui.waitUntil("quorum-mean is listed", () -> strategies.select(QuorumMeanStrategy.ID), strategies::rows);
        strategies.settingsForm().setValues(Map.of("quorum", "3", "weightExponent", "0.5"));
        rounds.show(name);

        f.start(name);
        Ui.waitUntil("two rounds ran with fedavg", () -> f.status(name).completedRounds() >= 2);
        assertTrue(strategies.chooseExperiment(name));
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
        RoundsPart rounds = Ui.make(RoundsPart.class, new Composite(sash, SWT.NONE));
        SitesPart sites = Ui.make(SitesPart.class, new Composite(sash, SWT.NONE));
        shell.layout(true, true);
        shell.open();
        rounds.show(name);
        assertEquals(List.of(), rounds.rows());
        assertEquals(0, rounds.table().getItemCount());

        RoundResult result = f.runRound(name);
        Ui.waitUntil("the round's row shows", () -> rounds.rows().size() == 1, rounds::rows);
        RoundsPart.Row row = rounds.rows().get(0);
        assertEquals(1, row.round());
        assertEquals("fedavg", row.strategy());
        assertEquals("3/4", row.sites());
        assertEquals(result.bytesDown(), row.bytesDown());
        assertEquals(result.bytesUp(), row.bytesUp());
        assertTrue(row.bytesDown() > 0 && row.bytesUp() > 0, row.toString());
        assertEquals(1, rounds.table().getItemCount());
        assertEquals(Long.toString(result.bytesUp()), rounds.table().getItem(0).getText(7));

        double loss = result.fitMetrics().get("loss").orElseThrow();
        LineChart.Series globalLoss = rounds.lossChart().series().get(0);
        assertEquals("global", globalLoss.name());
        assertEquals(1, globalLoss.points().size());
        assertEquals(1.0, globalLoss.points().get(0)[0]);
        assertEquals(loss, globalLoss.points().get(0)[1]);
        assertEquals(List.of("global", "site-0", "site-1", "site-3"),
                rounds.lossChart().series().stream().map(LineChart.Series::name).toList(),
                "the failed site has no loss");
        double mse = result.evaluationMetrics().get("mse").orElseThrow();
        assertEquals("Evaluation mse per round", rounds.evaluationChart().title());
        assertEquals(mse, rounds.evaluationChart().series().get(0).points().get(0)[1]);
        assertEquals((double) (result.bytesDown() + result.bytesUp()),
                rounds.bytesChart().series().get(0).points().get(0)[1]);

        Ui.waitUntil("the Sites part shows the four sites of round 1",
                () -> sites.round() == 1 && sites.rows().size() == 4
                        && sites.rows().stream().noneMatch(r -> r.state() == SitesPart.SiteState.TRAINING),
                sites::rows);
        assertEquals(name, sites.experiment());
        for (SitesPart.Row r : sites.rows()) {
            if (r.site().equals("site-2")) {
                assertEquals(SitesPart.SiteState.FAILED, r.state());
                assertTrue(r.reason().contains("simulated failure in round 1"), r.reason());
            } else {
                assertEquals(SitesPart.SiteState.DONE, r.state(), r.toString());
                assertEquals(24, r.samples());
                assertTrue(r.metrics().startsWith("loss="), r.metrics());
            }
        }

        f.runRound(name);
        Ui.waitUntil("the second round's row shows", () -> rounds.rows().size() == 2, rounds::rows);
        assertEquals(2, rounds.lossChart().series().get(0).points().size());
        Ui.waitUntil("the Sites part moves to round 2", () -> sites.round() == 2
                && sites.rows().stream().noneMatch(r -> r.state() == SitesPart.SiteState.TRAINING), sites::rows);
    }
}
