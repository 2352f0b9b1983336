package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/** Swapping the strategy of an experiment, and the strategy's bundle leaving and coming back. */
class StrategyChangeTest {

    private static final String FEDAVG_BUNDLE = "org.fedfms.strategy.fedavg";

    private TestEnv env;

    @BeforeEach
    void setUp() {
        env = new TestEnv();
    }

    @AfterEach
    void tearDown() throws Exception {
        Bundle fedavg = env.bundle(FEDAVG_BUNDLE);
        if (fedavg.getState() != Bundle.ACTIVE) {
            fedavg.start();
        }
        env.close();
    }

    @Test
    void swapTakesEffectAtTheNextRoundAndIsRecorded() {
        FederationService f = env.fresh("swap");
        env.register(new ScaledFedAvgStrategy());
        f.create(TestEnv.spec("swap").rounds(6).build());
        f.runRounds("swap", 2);
        ParameterSet afterTwo = f.globalParameters("swap");

        ExperimentStatus s = f.swapStrategy("swap", ScaledFedAvgStrategy.ID, Map.of("scale", "0"));
        assertEquals(ScaledFedAvgStrategy.ID, s.strategyId());
        assertEquals(0.0, s.strategySettings().get("scale"));
        assertTrue(TestEnv.bitwiseEqual(afterTwo, f.globalParameters("swap")), "nothing changes before the next round");

        RoundResult third = f.runRound("swap");
        assertEquals(3, third.round());
        assertEquals(ScaledFedAvgStrategy.ID, third.strategyId());
        assertTrue(third.note().contains("fedavg") && third.note().contains("-> scaled-fedavg")
                && third.note().contains("scale=0.0"), third.note());
        assertTrue(TestEnv.bitwiseEqual(afterTwo, f.globalParameters("swap")), "scale 0 keeps the global model");

        f.swapStrategy("swap", "fedavg", Map.of("weighted", false));
        RoundResult fourth = f.runRound("swap");
        assertEquals("fedavg", fourth.strategyId());
        assertEquals(false, fourth.strategySettings().get("weighted"));
        assertTrue(fourth.note().contains("scaled-fedavg") && fourth.note().contains("-> fedavg"), fourth.note());
        assertTrue(f.globalParameters("swap").maxAbsDifference(afterTwo) > 1e-4, "fedavg moves the model again");
        assertEquals("", f.runRound("swap").note(), "the note belongs to the round the swap took effect");

        List<RoundResult> h = f.history("swap");
        assertEquals(List.of("fedavg", "fedavg", "scaled-fedavg", "fedavg", "fedavg"),
                h.stream().map(RoundResult::strategyId).toList());
        assertEquals("", h.get(1).note());
        assertEquals("fedavg", f.spec("swap").strategy());

        TestEnv.awaitTrue(() -> env.events("swap", FederationEvent.StrategySwapped.class).size() == 2, "two swaps");
        FederationEvent.StrategySwapped first = env.events("swap", FederationEvent.StrategySwapped.class).get(0);
        assertEquals("fedavg", first.fromId());
        assertEquals(ScaledFedAvgStrategy.ID, first.toId());
        assertEquals(3, first.effectiveRound());

        FederationException absent = assertThrows(FederationException.class,
                () -> f.swapStrategy("swap", "nosuch", Map.of()));
        assertTrue(absent.getMessage().contains("no strategy 'nosuch'"), absent.getMessage());
        SettingsException bad = assertThrows(SettingsException.class,
                () -> f.swapStrategy("swap", ScaledFedAvgStrategy.ID, Map.of("scale", "2")));
        assertTrue(bad.getMessage().contains("'scale'"), bad.getMessage());
        assertEquals("fedavg", f.status("swap").strategyId(), "a rejected swap changes nothing");
    }

    @Test
    void proximalTermOfTheStrategyReachesTheSites() {
        FederationService f = env.fresh("prox");
        env.register(new ScaledFedAvgStrategy());
        f.create(TestEnv.spec("prox").strategy(ScaledFedAvgStrategy.ID).strategySettings(Map.of("mu", 0.25))
                .rounds(1).build());
        env.linreg().instructionsSeen().clear();
        f.runRound("prox");
        Map<String, FitInstructions> seen = env.linreg().instructionsSeen();
        assertEquals(4, seen.size());
        seen.values().forEach(i -> assertEquals(0.25, i.getDouble(FitInstructions.PROXIMAL_MU, -1), 0.0));
    }

    @Test
    void strategyBundleStoppingPausesAndRestartingLetsResumeGoOn() throws Exception {
        FederationService f = env.fresh("depart");
        f.create(TestEnv.spec("depart").rounds(400).trainerOptions(Map.of("fitDelayMillis", 5)).build());
        CompletableFuture<ExperimentStatus> run = f.start("depart");
        TestEnv.awaitTrue(() -> f.status("depart").completedRounds() >= 2, "two rounds");
        Bundle fedavg = env.bundle(FEDAVG_BUNDLE);
        fedavg.stop();

        ExperimentStatus paused = run.get(30, TimeUnit.SECONDS);
        assertEquals(State.PAUSED, paused.state());
        assertTrue(paused.message().contains("strategy 'fedavg' is no longer present"), paused.message());
        assertTrue(paused.message().contains("Swap the strategy or restart its bundle"), paused.message());
        int done = paused.completedRounds();
        assertTrue(done >= 2 && done < 400, "paused after round " + done);
        assertEquals(done, f.history("depart").size());
        ParameterSet kept = f.globalParameters("depart");

        FederationException again = assertThrows(FederationException.class, () -> f.runRound("depart"));
        assertTrue(again.getMessage().contains("no longer present"), again.getMessage());
        assertEquals(done, f.status("depart").completedRounds(), "no round counted");
        assertTrue(TestEnv.bitwiseEqual(kept, f.globalParameters("depart")), "global model unchanged");
        TestEnv.awaitTrue(() -> !env.events("depart", FederationEvent.ExperimentPaused.class).isEmpty(), "paused event");

        fedavg.start();
        TestEnv.awaitTrue(() -> f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")), "fedavg back");
        f.pause("depart");
        List<RoundResult> more = f.runRounds("depart", 3);
        assertEquals(3, more.size());
        assertEquals(done + 1, more.get(0).round(), "no round lost");
        assertTrue(more.get(0).note().contains("bound again"), more.get(0).note());

        List<RoundResult> h = f.history("depart");
        for (int i = 0; i < h.size(); i++) {
            assertEquals(i + 1, h.get(i).round());
        }
        CompletableFuture<ExperimentStatus> rest = f.resume("depart");
        f.pause("depart");
        ExperimentStatus end = rest.get(30, TimeUnit.SECONDS);
        assertEquals(State.PAUSED, end.state());
        assertTrue(end.message().contains("paused at request"), end.message());
        assertEquals(end.completedRounds(), f.history("depart").size());
    }

    @Test
    void swappingAwayFromADepartedStrategyLetsResumeGoOn() throws Exception {
        FederationService f = env.fresh("depart-swap");
        env.register(new ScaledFedAvgStrategy());
        f.create(TestEnv.spec("depart-swap").rounds(4).build());
        f.runRounds("depart-swap", 2);
        Bundle fedavg = env.bundle(FEDAVG_BUNDLE);
        fedavg.stop();
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("depart-swap"));
        assertTrue(e.getMessage().contains("strategy 'fedavg' is no longer present"), e.getMessage());
        assertEquals(State.PAUSED, f.status("depart-swap").state());

        f.swapStrategy("depart-swap", ScaledFedAvgStrategy.ID, Map.of("scale", 0.5));
        ExperimentStatus end = f.resume("depart-swap").get(30, TimeUnit.SECONDS);
        assertEquals(State.COMPLETED, end.state(), end.message());
        List<RoundResult> h = f.history("depart-swap");
        assertEquals(List.of(1, 2, 3, 4), h.stream().map(RoundResult::round).toList());
        assertEquals(ScaledFedAvgStrategy.ID, h.get(2).strategyId());
        assertTrue(h.get(2).note().contains("-> scaled-fedavg"), h.get(2).note());
        assertFalse(h.get(3).note().contains("swapped"));
    }
}
