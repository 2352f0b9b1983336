package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.internal.CheckpointStore;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints after each round, and an experiment resumed by a new federation service (the federation
 * bundle restarted) that goes on exactly as an uninterrupted run does.
 */
class CheckpointResumeTest extends OnTestEnv {

    @Test
    void resumedRunEqualsAnUninterruptedRunBitwise() throws Exception {
        FederationService f = env.fresh("straight");
        env.fresh("resumed");
        env.register(new ServerMomentumStrategy());
        ExperimentSpecBuilder spec = TestEnv.spec("straight").rounds(6).fractionPerRound(0.6).minSites(2)
                .datasetSettings(Map.of("sites", 5)).strategy(ServerMomentumStrategy.ID)
                .strategySettings(Map.of("beta", 0.7)).seed(1234);
        f.create(spec.build());
        f.create(spec.name("resumed").build());
        assertEquals(State.COMPLETED, f.start("straight").get(60, TimeUnit.SECONDS).state());
        f.runRounds("resumed", 3);

        Path dir = f.experimentsDirectory().resolve("resumed");
        assertTrue(Files.isDirectory(dir.resolve("round-000003")));
        assertTrue(Files.isDirectory(dir.resolve("round-000002")));
        assertFalse(Files.exists(dir.resolve("round-000001")), "only the newest " + CheckpointStore.KEEP + " are kept");
        for (String file : List.of("spec.json", "global.fps", "strategy.fps", "history.json", "checkpoint.json")) {
            assertTrue(Files.isRegularFile(dir.resolve("round-000003").resolve(file)), file);
        }
        assertTrue(Files.isRegularFile(dir.resolve("spec.json")));

        FederationService g = env.restartFederation(ServerMomentumStrategy.ID);

        ExperimentStatus restored = g.status("resumed");
        assertEquals(State.PAUSED, restored.state());
        assertEquals(3, restored.completedRounds());
        assertTrue(restored.message().contains("restored from the checkpoint of round 3"), restored.message());
        assertEquals(State.COMPLETED, g.status("straight").state());
        assertEquals(3, g.history("resumed").size());

        ExperimentStatus done = g.resume("resumed").get(60, TimeUnit.SECONDS);
        assertEquals(State.COMPLETED, done.state(), done.message());
        assertEquals(6, done.completedRounds());

        ParameterSet straight = g.globalParameters("straight");
        ParameterSet resumed = g.globalParameters("resumed");
        assertTrue(TestEnv.bitwiseEqual(straight, resumed),
                "resumed run differs from the uninterrupted one by " + straight.maxAbsDifference(resumed));
        List<RoundResult> a = g.history("straight");
        List<RoundResult> b = g.history("resumed");
        assertEquals(6, b.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(a.get(i).evaluationMetrics(), b.get(i).evaluationMetrics(), "round " + (i + 1));
            assertEquals(a.get(i).fitMetrics(), b.get(i).fitMetrics(), "round " + (i + 1));
            assertEquals(okSites(a.get(i)), okSites(b.get(i)), "round " + (i + 1) + " chose the same sites");
        }
        assertTrue(okSites(a.get(0)).size() == 3, "ceil(0.6 × 5) sites per round");
    }

    private static List<String> okSites(RoundResult r) {
        return r.sites().stream().filter(s -> s.status() == SiteRoundResult.Status.OK).map(SiteRoundResult::siteId)
                .toList();
    }

    @Test
    void withoutItsStateTheMomentumStrategyWouldDiverge() throws Exception {
        // the control for the test above: a fresh session (no restored state) gives another result
        FederationService f = env.fresh("control-a");
        env.fresh("control-b");
        env.register(new ServerMomentumStrategy());
        ExperimentSpecBuilder spec = TestEnv.spec("control-a").rounds(4).strategy(ServerMomentumStrategy.ID);
        f.create(spec.build());
        f.create(spec.name("control-b").build());
        f.runRounds("control-a", 4);
        f.runRounds("control-b", 2);
        f.swapStrategy("control-b", ServerMomentumStrategy.ID, Map.of());
        f.runRounds("control-b", 2);
        assertFalse(TestEnv.bitwiseEqual(f.globalParameters("control-a"), f.globalParameters("control-b")));
    }

    @Test
    void experimentWithoutRoundsIsListedAgainAfterARestart() throws Exception {
        FederationService f = env.fresh("norounds");
        f.create(TestEnv.spec("norounds").rounds(2).build());
        FederationService g = env.restartFederation("fedavg");
        assertEquals(State.READY, g.status("norounds").state());
        assertEquals(0, g.history("norounds").size());
        assertEquals(State.COMPLETED, g.start("norounds").get(30, TimeUnit.SECONDS).state());
        assertTrue(g.remove("norounds", true));
        assertFalse(Files.exists(g.experimentsDirectory().resolve("norounds")));
        assertFalse(g.remove("norounds", true));
    }
}
