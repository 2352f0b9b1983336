package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.Test;

/** The SCAFFOLD server on hand-computed values, as the federation finds it: the OSGi service {@code scaffold}. */
class ScaffoldStrategyTest {

    static AggregationStrategy scaffold() {
        return TestServices.await(ScaffoldStrategyTest.class, AggregationStrategy.class, "(id=scaffold)", 10_000);
    }

    static StrategySession open(Map<String, ?> settings) {
        return scaffold().open(settings, StrategyContext.none());
    }

    private static ParameterSet w(double v) {
        return ParameterSet.builder().add("w", new int[] {1}, new float[] {(float) v}).build();
    }

    /** A site's update: its model {@code y} and its variate change {@code dc}. */
    private static FitResult site(String id, long samples, double y, double dc) {
        return new FitResult(id, ControlVariates.with(w(y), w(dc)), samples, Metrics.of("loss", 0.1));
    }

    private static float value(ParameterSet p, String name) {
        return p.get(name).values()[0];
    }

    /*
     * eta_g = 1, full participation: x' = mean(y) = (3 + 7)/2 = 5 (sample counts do not weigh: the paper's mean),
     * c' = 0 + 1·mean(dc) = (0.5 − 1.5)/2 = −0.5.
     */
    @Test
    void serverStepIsTheMeanModelAndTheMeanVariateChange() {
        StrategySession s = open(Map.of());
        ParameterSet sent = s.fitParameters(1, w(1));
        assertEquals(List.of("w", "scaffold.c/w"), sent.names());
        assertEquals(0f, value(sent, "scaffold.c/w"), "c starts at zero");

        ParameterSet next = s.aggregateFit(1, w(1), List.of(site("a", 30, 3, 0.5), site("b", 10, 7, -1.5)), List.of());
        assertEquals(List.of("w"), next.names(), "the global model alone comes out");
        assertEquals(5f, value(next, "w"), 1e-6f);
        assertEquals(-0.5f, value(s.fitParameters(2, next), "scaffold.c/w"), 1e-6f);
    }

    /*
     * eta_g = 0.5, N = 4. Round 1 from x = 1: mean(dy) = (2 + 6)/2 = 4 -> x = 3; c = 0 + (2/4)·(−0.5) = −0.25.
     * Round 2 from x = 3, one site: y = 2 -> x = 3 + 0.5·(−1) = 2.5; dc = 1 -> c = −0.25 + (1/4)·1 = 0.
     */
    @Test
    void serverLearningRateAndPartialParticipationScaleTheSteps() {
        StrategySession s = open(Map.of("serverLearningRate", 0.5, "totalSites", 4));
        ParameterSet x = s.aggregateFit(1, w(1), List.of(site("a", 1, 3, 0.5), site("b", 1, 7, -1.5)), List.of());
        assertEquals(3f, value(x, "w"), 1e-6f);
        assertEquals(-0.25f, value(s.fitParameters(2, x), "scaffold.c/w"), 1e-6f);
        x = s.aggregateFit(2, x, List.of(site("a", 1, 2, 1)), List.of());
        assertEquals(2.5f, value(x, "w"), 1e-6f);
        assertEquals(0f, value(s.fitParameters(3, x), "scaffold.c/w"), 1e-6f);
    }

    @Test
    void theServerVariateIsCheckpointedAndRestored() {
        StrategySession s = open(Map.of());
        assertTrue(s.state().tensors().isEmpty(), "no state before the first round");
        s.aggregateFit(1, w(0), List.of(site("a", 1, 1, 2), site("b", 1, 1, 4)), List.of());
        assertEquals(List.of("c/w"), s.state().tensors().names());

        StrategySession resumed = open(Map.of());
        resumed.restore(s.state());
        assertArrayEquals(s.fitParameters(2, w(1)).get("scaffold.c/w").values(),
                resumed.fitParameters(2, w(1)).get("scaffold.c/w").values());
        assertEquals(3f, value(resumed.fitParameters(2, w(1)), "scaffold.c/w"), 1e-6f);
    }

    @Test
    void anUpdateWithoutItsVariateChangeIsRefusedAndTheRoundGoesOn() {
        StrategySession s = open(Map.of());
        RoundAggregator a = s.beginRound(1, w(0));
        String m = assertThrows(AggregationException.class,
                () -> a.accept(new FitResult("plain", w(2), 5, Metrics.empty()))).getMessage();
        assertTrue(m.contains("site plain") && m.contains("scaffold") && m.contains("control variate"), m);
        a.accept(site("good", 5, 4, 1));
        assertEquals(1, a.accepted());
        assertEquals(4f, value(a.finish(List.of()), "w"), 1e-6f);
    }

    @Test
    void aFailedRoundLeavesTheServerVariateAsItWas() {
        StrategySession s = open(Map.of());
        s.aggregateFit(1, w(0), List.of(site("a", 1, 1, 2)), List.of());
        RoundAggregator a = s.beginRound(2, w(1));
        a.accept(site("a", 1, 1, 10));
        // the round is abandoned before finish: c stays 2
        assertEquals(2f, value(s.fitParameters(2, w(1)), "scaffold.c/w"), 1e-6f);
        assertThrows(AggregationException.class, () -> s.beginRound(3, w(1)).finish(List.of()));
    }
}
