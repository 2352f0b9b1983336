package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.ui.internal.parts.RoundsPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.util.tracker.ServiceTracker;

/** The Rounds part shows ε at δ of an experiment with client-side DP, as each round completes and when opened. */
class ClientDpRoundsPartTest {

    private static final String NAME = "ui-client-dp";

    private ServiceTracker<FederationService, FederationService> tracker;
    private Shell shell;

    @BeforeEach
    void open() throws Exception {
        Ui.bundle("org.fedfms.strategy.fedavg").start();
        tracker = new ServiceTracker<>(Ui.context(), FederationService.class, null);
        tracker.open();
        shell = Ui.shell();
        shell.setSize(1200, 800);
    }

    @AfterEach
    void close() {
        shell.dispose();
        tracker.getService().remove(NAME, true);
        tracker.close();
    }

    @Test
    void theStatusLineShowsEpsilonAtDelta() throws Exception {
        FederationService f = tracker.waitForService(Ui.TIMEOUT_MS);
        assertNotNull(f, "no FederationService");
        Ui.waitUntil("the fixture loader, linreg trainer and fedavg are present",
                () -> f.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                        && f.trainerFactories().stream().anyMatch(t -> t.id().equals(LinRegTrainerFactory.ID))
                        && f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")));
        f.remove(NAME, true);
        f.create(ExperimentSpec.builder(NAME).dataset(FixtureDatasetLoader.ID).trainer(LinRegTrainerFactory.ID)
                .model("linreg").adapter("none").device("cpu").learningRate(0.02).batchSize(8).rounds(2)
                .roundDeadlineSeconds(30).clientDp("clip=1,noise=2,delta=1e-6").build());
        RoundsPart rounds = Ui.make(RoundsPart.class, new Composite(shell, SWT.NONE));
        shell.open();
        rounds.show(NAME);
        RoundResult first = f.runRound(NAME);
        String expected = String.format(Locale.ROOT, "client DP ε = %.3f at δ = 1.0e-06",
                first.evaluationMetrics().get("dp_epsilon").getAsDouble());
        Label status = Ui.named(shell, Label.class, "rounds.status");
        Ui.waitUntil("round 1 shows epsilon", () -> status.getText().equals("round 1 completed, " + expected),
                status::getText);
        rounds.show(NAME);
        assertTrue(status.getText().equals("1 rounds completed, " + expected), status.getText());
    }
}
