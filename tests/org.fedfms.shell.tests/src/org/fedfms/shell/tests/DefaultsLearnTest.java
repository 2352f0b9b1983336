package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An experiment created with the defaults (sam-tiny, msa, djl, synthetic) learns: its learning rate comes
 * from the model variant and is shown; and {@code --patience} ends a run whose validation Dice stalls.
 */
class DefaultsLearnTest {

    private Shell shell;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        FederationService f = shell.federation();
        Shell.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("synthetic")), "the djl trainer and synthetic data");
    }

    @AfterEach
    void close() {
        shell.close();
    }

    @Test
    void anExperimentWithTheDefaultsImprovesItsValidationDice() throws Exception {
        String name = "shell-defaults";
        shell.forget(name);
        FederationService f = shell.federation();
        String created = shell.run("fedfms:experiment --device cpu " + name);
        assertTrue(created.contains("lr 0.002"), "sam-tiny's own learning rate, shown:\n" + created);
        assertTrue(created.contains("random initialisation"), created);
        shell.run("fedfms:run " + name);
        List<RoundResult> h = f.history(name);
        assertEquals(10, h.size());
        double first = h.get(0).evaluationMetrics().get("dice").getAsDouble();
        BestRound best = BestRound.of(h).orElseThrow();
        assertTrue(best.value() > first + 0.1, "validation dice from " + first + " to at best " + best.describe());
        String status = shell.run("fedfms:status " + name);
        assertTrue(status.contains("best round") && status.contains(best.describe()), status);
    }

    @Test
    void patienceStopsARunWhoseValidationDiceStalls() throws Exception {
        String name = "shell-patience";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment --device cpu --data sites=2,samplesPerSite=6,imageSize=32,slicesPerCase=1,"
                + "validationFraction=0.34 --rounds 12 --lr 0.05 --patience 1 --options localSteps=1 " + name);
        shell.run("fedfms:run " + name);
        ExperimentStatus s = f.status(name);
        List<RoundResult> h = f.history(name);
        BestRound best = BestRound.of(h).orElseThrow();
        assertEquals(ExperimentStatus.State.COMPLETED, s.state());
        assertTrue(h.size() < 12 && s.message().startsWith("stopped early after round " + h.size()), s.message());
        assertEquals(h.size() - 1, best.round(), "one round without improvement (patience 1)");
        assertTrue(java.nio.file.Files.isDirectory(f.experimentsDirectory().resolve(name)
                .resolve(String.format("round-%06d", best.round()))), "the best round's checkpoint is kept");
    }
}
