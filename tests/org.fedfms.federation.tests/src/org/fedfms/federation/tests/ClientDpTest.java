package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.privacy.RdpAccountant;
import org.fedfms.testing.fixture.ParameterDistance;
import org.junit.jupiter.api.Test;

/** The experiment setting {@code clientDp}: sites clip and noise their updates; the rounds account ε. */
class ClientDpTest extends OnTestEnv {


    /** Two of the fixture's four sites a round: q = 0.5. */
    private static ExperimentSpecBuilder halfOfFourSites(String name, String clientDp) {
        return TestEnv.spec(name).fractionPerRound(0.5).minSites(2).datasetSettings(Map.of("sites", 4))
                .clientDp(clientDp);
    }

    private static double expectedEpsilon(int rounds) {
        return RdpAccountant.create().compose(0.5, 1.2, rounds).epsilon(1e-5);
    }

    @Test
    void epsilonAfterEachRoundIsTheAccountantsForQHalf() {
        FederationService f = env.fresh("dp-eps");
        f.create(halfOfFourSites("dp-eps", "clip=1,noise=1.2,delta=1e-5").rounds(4).build());
        List<RoundResult> history = f.runRounds("dp-eps", 4);
        assertEquals(4, history.size());
        for (RoundResult r : history) {
            assertEquals(0.5, r.evaluationMetrics().get("dp_q").getAsDouble());
            assertEquals(1e-5, r.evaluationMetrics().get("dp_delta").getAsDouble());
            assertEquals(expectedEpsilon(r.round()), r.evaluationMetrics().get("dp_epsilon").getAsDouble(), 1e-12,
                    "round " + r.round());
        }
        assertTrue(expectedEpsilon(4) > expectedEpsilon(3));
        assertEquals(expectedEpsilon(4), f.status("dp-eps").lastEvaluation().get("dp_epsilon").getAsDouble(), 1e-12);
    }

    /** With noise far below the clip, one round moves the FedAvg global by at most C: every update was clipped. */
    @Test
    void sitesClipTheirUpdatesBeforeAggregation() {
        FederationService f = env.fresh("dp-clip");
        f.create(halfOfFourSites("dp-clip", "clip=0.01,noise=0.0000001,delta=1e-5").rounds(1).learningRate(0.1)
                .localEpochs(3).build());
        ParameterSet before = f.globalParameters("dp-clip").copy();
        f.runRounds("dp-clip", 1);
        ParameterSet after = f.globalParameters("dp-clip");
        double moved = ParameterDistance.euclidean(after, before);
        assertTrue(moved > 0.005 && moved <= 0.01 * 1.001, "the global moved by " + moved + ", clip 0.01");
    }

    @Test
    void theBudgetPausesTheRunBeforeARoundWouldExceedIt() {
        FederationService f = env.fresh("dp-budget");
        double budget = (expectedEpsilon(3) + expectedEpsilon(4)) / 2;
        f.create(halfOfFourSites("dp-budget", "clip=1,noise=1.2,delta=1e-5,budget=" + budget).rounds(10).build());
        FederationException stop = assertThrows(FederationException.class, () -> f.runRounds("dp-budget", 10));
        ExperimentStatus s = f.status("dp-budget");
        assertEquals(3, s.completedRounds());
        assertEquals(ExperimentStatus.State.PAUSED, s.state());
        assertTrue(s.message().contains("round 4") && s.message().contains("privacy budget is spent")
                && s.message().contains("above the budget"), s.message());
        assertEquals(stop.getMessage(), s.message());
        assertEquals(expectedEpsilon(3), s.lastEvaluation().get("dp_epsilon").getAsDouble(), 1e-12);
        // resuming does not spend more
        assertThrows(FederationException.class, () -> f.runRounds("dp-budget", 1));
        assertEquals(3, f.status("dp-budget").completedRounds());
    }

    @Test
    void aBadSettingOrAProtocolWithoutUpdatesIsAProblemOfTheSpec() {
        assertEquals(List.of("'clientDp': 'noise' is missing (clip=C,noise=SIGMA,delta=DELTA[,budget=EPSILON])"),
                TestEnv.spec("bad").clientDp("clip=1,delta=1e-5").build().problems());
        List<String> central = TestEnv.spec("central").protocol(ExperimentSpec.Protocol.CENTRALIZED)
                .clientDp("clip=1,noise=1,delta=1e-5").build().problems();
        assertEquals(1, central.size());
        assertTrue(central.get(0).startsWith("'clientDp' protects the updates"), central.get(0));
        assertTrue(TestEnv.spec("off").build().problems().isEmpty());
    }

    @Test
    void specFilesWithoutTheKeyStayValidAndTheKeyRoundTrips() {
        ExperimentSpec old = ExperimentSpecJson.fromJson("{\"name\": \"old\", \"rounds\": 3}", "old.json");
        assertEquals("", old.sharing().clientDp());
        ExperimentSpec dp = TestEnv.spec("dp").clientDp("clip=0.5,noise=1.1,delta=1e-5,budget=8").build();
        assertEquals(dp, ExperimentSpecJson.fromJson(ExperimentSpecJson.toJson(dp), "dp.json"));
        assertTrue(ExperimentSpecJson.toJson(dp).contains("\"clientDp\": \"clip=0.5,noise=1.1,delta=1e-5,budget=8\""));
    }
}
