package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.swt.widgets.Shell;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A UI test over the real federation engine: fedavg's bundle started, a shell, the federation service with the
 * fixture's {@code fixture} loader and {@code linreg} trainer; the experiments a test takes with
 * {@link #fresh} are stopped and removed (with their files) after it.
 */
abstract class OnFederationShell {

    Shell shell;
    private ServiceTracker<FederationService, FederationService> tracker;
    private final List<String> experiments = new ArrayList<>();

    @BeforeEach
    void openShell() throws Exception {
        Ui.bundle("org.fedfms.strategy.fedavg").start();
        tracker = new ServiceTracker<>(Ui.context(), FederationService.class, null);
        tracker.open();
        shell = Ui.shell();
        shell.setSize(1200, 800);
    }

    @AfterEach
    void closeShell() {
        shell.dispose();
        FederationService f = tracker.getService();
        if (f != null) {
            List<String> present = f.experiments().stream().map(ExperimentStatus::name).toList();
            for (String name : experiments) {
                if (!present.contains(name)) {
                    continue;
                }
                if (f.status(name).state() == ExperimentStatus.State.RUNNING) {
                    f.cancel(name);
                }
                Ui.waitUntil("experiment " + name + " stops",
                        () -> f.status(name).state() != ExperimentStatus.State.RUNNING);
                f.remove(name, true);
            }
        }
        tracker.close();
    }

    /** The federation service once the fixture loader, the linreg trainer and fedavg are bound to it. */
    FederationService federation() throws InterruptedException {
        FederationService f = tracker.waitForService(Ui.TIMEOUT_MS);
        assertNotNull(f, "no FederationService");
        Ui.waitUntil("the fixture loader, linreg trainer and fedavg are present",
                () -> f.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                        && f.trainerFactories().stream().anyMatch(t -> t.id().equals(LinRegTrainerFactory.ID))
                        && f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")));
        return f;
    }

    /** A fresh experiment name (one left by an earlier run is removed now), removed with its files after the test. */
    String fresh(FederationService f, String name) {
        f.remove(name, true);
        experiments.add(name);
        return name;
    }

    /** A spec on the fixture dataset and the linear-regression trainer. */
    static ExperimentSpecBuilder spec(String name) {
        return ExperimentSpec.builder(name).dataset(FixtureDatasetLoader.ID).trainer(LinRegTrainerFactory.ID)
                .model("linreg").adapter("none").device("cpu").learningRate(0.02).batchSize(8).rounds(5)
                .roundDeadlineSeconds(30);
    }
}
