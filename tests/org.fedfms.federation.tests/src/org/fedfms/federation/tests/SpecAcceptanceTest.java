package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/**
 * What the federation refuses when it is given, before any site trains: a model the trainer does not train,
 * and strategy settings that cannot work with the experiment's sites (Krum's f with n &lt; 2f+3); and what the
 * federation says of cases a dataset left out.
 */
class SpecAcceptanceTest extends OnTestEnv {


    @Test
    void aModelTheTrainerDoesNotTrainIsRefusedAtCreationAndReplacement() {
        FederationService f = env.fresh("accept-model");
        FederationException e = assertThrows(FederationException.class,
                () -> f.create(TestEnv.spec("accept-model").model("sam-huge").build()));
        assertTrue(e.getMessage().contains("model 'sam-huge'") && e.getMessage().contains("linreg"),
                e.getMessage());
        assertFalse(f.experiments().stream().anyMatch(s -> s.name().equals("accept-model")), "nothing was created");

        f.create(TestEnv.spec("accept-model").build());
        FederationException r = assertThrows(FederationException.class,
                () -> f.replace(TestEnv.spec("accept-model").model("sam-huge").build()));
        assertTrue(r.getMessage().contains("model 'sam-huge'"), r.getMessage());
        assertEquals("linreg", f.spec("accept-model").model(), "the spec is kept");
    }

    @Test
    void bulyanSettingsNeedingMoreSitesAreRefusedAtCreationAndAtTheSwap() {
        FederationService f = env.fresh("accept-bulyan");
        TestEnv.awaitTrue(() -> f.strategies().stream().anyMatch(s -> s.id().equals("bulyan")), "bulyan present");
        Map<String, Object> threeSites = Map.of("sites", 3);

        FederationException e = assertThrows(FederationException.class, () -> f.create(TestEnv.spec("accept-bulyan")
                .datasetSettings(threeSites).strategy("bulyan").strategySettings(Map.of("f", 1)).build()));
        assertTrue(e.getMessage().contains("f=1") && e.getMessage().contains("at least 7")
                && e.getMessage().contains("3 site(s)"), e.getMessage());
        assertFalse(f.experiments().stream().anyMatch(s -> s.name().equals("accept-bulyan")), "nothing was created");

        f.create(TestEnv.spec("accept-bulyan").datasetSettings(threeSites).strategy("bulyan")
                .strategySettings(Map.of("f", 0)).rounds(3).build());
        f.runRounds("accept-bulyan", 1);
        FederationException swap = assertThrows(FederationException.class,
                () -> f.swapStrategy("accept-bulyan", "bulyan", Map.of("f", 50)));
        assertTrue(swap.getMessage().contains("f=50") && swap.getMessage().contains("at least 203")
                && swap.getMessage().contains("3 site(s)"), swap.getMessage());
        ExperimentStatus s = f.status("accept-bulyan");
        assertEquals("bulyan", s.strategyId());
        assertEquals(0, ((Number) s.strategySettings().get("f")).intValue(), "the settings are kept");
        f.runRounds("accept-bulyan", 1);
        assertEquals(2, f.status("accept-bulyan").completedRounds());
    }

    @Test
    void casesADatasetLeftOutAreNamedInTheFirstRoundsNote() {
        FederationService f = env.fresh("skipped-cases");
        f.create(TestEnv.spec("skipped-cases").datasetSettings(Map.of("sites", 2, "skipped", 12)).build());
        String note = f.runRound("skipped-cases").note();
        assertTrue(note.contains("left out 12 bad case(s)") && note.contains("site-0/bad-0.nii.gz")
                && note.contains("and 2 more"), note);
        assertTrue(f.history("skipped-cases").get(0).note().contains("left out 12"), "the note is kept in the history");
    }
}
