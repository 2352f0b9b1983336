package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.internal.CheckpointStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The round with the best validation Dice, and its checkpoint kept beside the newest ones. */
class BestRoundTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("fedfms-best-round-test");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        TestEnv.deleteTree(dir);
    }

    private static List<RoundResult> history(String metric, double... values) {
        List<RoundResult> h = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            h.add(new RoundResult("exp", i + 1, "fedavg", Map.of(), List.of(), Metrics.of("loss", 1.0),
                    Metrics.of(metric, values[i], "dice", 1.0 - values[i]), 1, 1, 1, Instant.ofEpochSecond(i), ""));
        }
        return h;
    }

    @Test
    void theBestRoundIsTheOneWithTheHighestValidationDiceEarliestOnTies() {
        BestRound federated = BestRound.of(history("x", 0.5, 0.2, 0.4, 0.2)).orElseThrow(); // dice = 1 - x
        assertEquals(2, federated.round());
        assertEquals("dice", federated.metric());
        assertEquals(0.8, federated.value(), 1e-12);
        BestRound loso = BestRound.of(history("val_dice", 0.5, 0.9, 0.6, 0.9)).orElseThrow();
        assertEquals(2, loso.round());
        assertEquals("val_dice", loso.metric());
        assertEquals("round 2, val_dice 0.9000", loso.describe());
        assertTrue(BestRound.of(List.of()).isEmpty());
    }

    @Test
    void checkpointsKeepTheBestRoundBesideTheNewest() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("exp"));
        double[] valDice = {0.3, 0.9, 0.5, 0.6, 0.4};
        for (int round = 1; round <= valDice.length; round++) {
            ParameterSet global = ParameterSet.builder().add("w", new int[] {1}, new float[] {round}).build();
            store.write(new CheckpointStore.Checkpoint(round, TestEnv.spec("exp").build(), global,
                    new StrategyState(ParameterSet.builder().build(), Map.of()),
                    history("val_dice", java.util.Arrays.copyOf(valDice, round)), Map.of()));
        }
        assertEquals(List.of("round-000005", "round-000004", "round-000002"),
                store.roundDirs().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(2f, store.read(store.roundDirs().get(2)).global().get("w").values()[0]);
        assertEquals(5, store.latest().orElseThrow().round());
    }
}
