package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.ExperimentSpecJson;
import org.junit.jupiter.api.Test;

/** The experiment setting {@code secureAggregation}: the simulated sites and the coordinator run SecAgg+. */
class SecureAggregationRunTest extends OnTestEnv {

    /** Fixed-point rounding (2^-25 per round) and float rounding of the weighted mean, over 6 rounds. */
    private static final double TOLERANCE = 1e-5;


    private ParameterSet run(FederationService f, ExperimentSpec spec) {
        f.create(spec);
        List<RoundResult> rounds = f.runRounds(spec.name(), spec.schedule().rounds());
        assertEquals(spec.schedule().rounds(), rounds.size());
        return f.globalParameters(spec.name());
    }

    @Test
    void aSecureRunEqualsThePlainRunWithinTheFixedPointError() {
        FederationService f = env.fresh("plain");
        env.fresh("secure");
        ExperimentSpecBuilder b = TestEnv.spec("plain").rounds(6).localEpochs(2).learningRate(0.05);
        ParameterSet plain = run(f, b.build());
        ParameterSet secure = run(f, b.name("secure").secureAggregation("on").build());
        double diff = secure.maxAbsDifference(plain);
        assertTrue(diff < TOLERANCE, "secure and plain FedAvg differ by " + diff);
        assertEquals("on", f.spec("secure").sharing().secureAggregation());
    }

    @Test
    void aSiteFailingAfterTheKeysWereSharedDropsOutAndTheOthersAreSummed() {
        FederationService f = env.fresh("plain-drop");
        env.fresh("secure-drop");
        ExperimentSpecBuilder b = TestEnv.spec("plain-drop").rounds(3).minSites(2)
                .trainerOptions(Map.of("failSite", "site-1"));
        ParameterSet plain = run(f, b.build());
        ParameterSet secure = run(f, b.name("secure-drop").secureAggregation("threshold=3").build());
        assertTrue(secure.maxAbsDifference(plain) < TOLERANCE, "differ by " + secure.maxAbsDifference(plain));
        RoundResult last = f.history("secure-drop").get(2);
        assertEquals(3, last.okSites());
        assertEquals(SiteRoundResult.Status.FAILED, last.sites().stream()
                .filter(s -> s.siteId().equals("site-1")).findFirst().orElseThrow().status());
    }

    @Test
    void belowTheThresholdTheRoundPausesWithAClearError() {
        FederationService f = env.fresh("secure-few");
        f.create(TestEnv.spec("secure-few").rounds(1).minSites(1).secureAggregation("threshold=4")
                .trainerOptions(Map.of("failSite", "site-1")).build());
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("secure-few"));
        assertTrue(e.getMessage().contains("secure aggregation could not unmask the sum")
                && e.getMessage().contains("fewer than the threshold 4"), e.getMessage());
        assertEquals(0, f.status("secure-few").completedRounds());
    }

    @Test
    void strategiesThatNeedEachUpdateAreRefusedAtCreation() {
        FederationService f = env.fresh("secure-krum");
        env.fresh("secure-unweighted");
        FederationException krum = assertThrows(FederationException.class,
                () -> f.create(TestEnv.spec("secure-krum").strategy("krum").secureAggregation("on").build()));
        assertTrue(krum.getMessage().contains("strategy 'krum'") && krum.getMessage().contains("needs each site's update")
                && krum.getMessage().contains("secure aggregation"), krum.getMessage());
        FederationException unweighted = assertThrows(FederationException.class, () -> f.create(TestEnv
                .spec("secure-unweighted").secureAggregation("on").strategySettings(Map.of("weighted", "false")).build()));
        assertTrue(unweighted.getMessage().contains("strategy 'fedavg'"), unweighted.getMessage());
        assertFalse(f.experiments().stream()
                .anyMatch(s -> s.name().equals("secure-krum") || s.name().equals("secure-unweighted")));
    }

    @Test
    void theSettingIsCheckedWithTheSpecAndOldSpecsStayPlain() {
        assertEquals(List.of("'secureAggregation': secure aggregation 'threshold=x': threshold 'x' is not a whole number"),
                TestEnv.spec("s").secureAggregation("threshold=x").build().problems());
        assertTrue(TestEnv.spec("s").protocol(Protocol.CENTRALIZED).secureAggregation("on").build().problems().get(0)
                .contains("'secureAggregation' applies to protocols that aggregate"));
        assertTrue(TestEnv.spec("s").secureAggregation("threshold=3,neighbours=2").build().problems().isEmpty());
        assertTrue(TestEnv.spec("s").secureAggregation("on").encoding("up=int8").build().problems().get(0)
                .contains("'secureAggregation' with an upload 'encoding'"));
        assertTrue(TestEnv.spec("s").secureAggregation("on").encoding("down=int8").build().problems().isEmpty());
        ExperimentSpec old = ExperimentSpecJson.fromJson("{\"name\": \"old\", \"rounds\": 3}", "old.json");
        assertEquals("", old.sharing().secureAggregation());
    }
}
