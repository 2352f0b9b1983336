package org.fedfms.strategy.fedavg.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** FedAvg, obtained as the OSGi service the federation uses, against hand-computed values. */
class FedAvgStrategyTest {

    private static ServiceTracker<AggregationStrategy, AggregationStrategy> tracker;

    @BeforeAll
    static void track() throws Exception {
        var ctx = FrameworkUtil.getBundle(FedAvgStrategyTest.class).getBundleContext();
        tracker = new ServiceTracker<>(ctx, ctx.createFilter("(&(objectClass=" + AggregationStrategy.class.getName()
                + ")(" + AggregationStrategy.ID_PROPERTY + "=fedavg))"), null);
        tracker.open();
    }

    @AfterAll
    static void untrack() {
        tracker.close();
    }

    private static AggregationStrategy fedavg() throws InterruptedException {
        AggregationStrategy s = tracker.waitForService(10_000);
        assertNotNull(s, "the fedavg service did not appear within 10 s");
        return s;
    }

    private static ParameterSet set(float w0, float w1, float b) {
        return ParameterSet.builder()
                .add("layer.weight", new int[] {1, 2}, new float[] {w0, w1})
                .add("layer.bias", new int[] {1}, new float[] {b})
                .build();
    }

    private static FitResult fit(String site, long n, ParameterSet p) {
        return new FitResult(site, p, n, Metrics.of("loss", 0.5));
    }

    @Test
    void weightsBySampleCountsLikeTheReference() throws Exception {
        AggregationStrategy s = fedavg();
        assertEquals("fedavg", s.id());
        StrategySession session = s.open(Map.of(), StrategyContext.none());
        ParameterSet global = set(0, 0, 0);
        // (10·[1,2,3] + 30·[5,6,7] + 60·[2,0,-1]) / 100 = [2.8, 2.0, 1.8]
        ParameterSet next = session.aggregateFit(1, global, List.of(
                fit("a", 10, set(1, 2, 3)), fit("b", 30, set(5, 6, 7)), fit("c", 60, set(2, 0, -1))), List.of());
        assertArrayEquals(new float[] {2.8f, 2.0f}, next.get("layer.weight").values(), 1e-6f);
        assertArrayEquals(new float[] {1.8f}, next.get("layer.bias").values(), 1e-6f);
        assertEquals(global.names(), next.names());
        assertArrayEquals(new float[] {0, 0}, global.get("layer.weight").values());
    }

    @Test
    void unweightedIsThePlainMean() throws Exception {
        StrategySession session = fedavg().open(Map.of("weighted", "false"), StrategyContext.none());
        ParameterSet next = session.aggregateFit(1, set(0, 0, 0),
                List.of(fit("a", 10, set(1, 2, 3)), fit("b", 30, set(5, 6, 7))), List.of());
        assertArrayEquals(new float[] {3f, 4f}, next.get("layer.weight").values(), 1e-6f);
        assertEquals(Map.of("weighted", false, "acceptFailures", true, "roundWeights", false), session.settings());
    }

    @Test
    void rejectsBadUpdatesAndKeepsAggregatingTheGoodOnes() throws Exception {
        StrategySession session = fedavg().open(Map.of(), StrategyContext.none());
        ParameterSet global = set(0, 0, 0);
        RoundAggregator agg = session.beginRound(3, global);
        agg.accept(fit("good", 2, set(2, 2, 2)));
        ParameterSet nan = set(1, Float.NaN, 1);
        assertTrue(assertThrows(AggregationException.class, () -> agg.accept(fit("nan", 5, nan))).getMessage()
                .contains("nan: update holds a non-finite value: layer.weight[1] = NaN"));
        ParameterSet renamed = ParameterSet.builder().add("other", new int[] {1, 2}, new float[2])
                .add("layer.bias", new int[] {1}, new float[1]).build();
        assertThrows(AggregationException.class, () -> agg.accept(fit("renamed", 5, renamed)));
        assertThrows(AggregationException.class, () -> agg.accept(fit("empty", 0, set(9, 9, 9))));
        assertEquals(1, agg.accepted());
        ParameterSet next = agg.finish(List.of(new SiteFailure("nan", "bad update")));
        assertArrayEquals(new float[] {2f, 2f}, next.get("layer.weight").values());
        assertArrayEquals(new float[] {0f, 0f}, global.get("layer.weight").values());
    }

    @Test
    void failsClearlyWhenNothingUsableArrivesOrFailuresAreRefused() throws Exception {
        StrategySession lenient = fedavg().open(Map.of(), StrategyContext.none());
        String m = assertThrows(AggregationException.class,
                () -> lenient.beginRound(2, set(0, 0, 0)).finish(List.of(new SiteFailure("a", "timeout")))).getMessage();
        assertTrue(m.contains("round 2") && m.contains("no site delivered"), m);

        StrategySession strict = fedavg().open(Map.of("acceptFailures", "false"), StrategyContext.none());
        RoundAggregator agg = strict.beginRound(4, set(0, 0, 0));
        agg.accept(fit("a", 1, set(1, 1, 1)));
        String m2 = assertThrows(AggregationException.class,
                () -> agg.finish(List.of(new SiteFailure("b", "timeout")))).getMessage();
        assertTrue(m2.contains("[b]") && m2.contains("acceptFailures=false"), m2);
    }

    /*
     * roundWeights: the reference's round(n_i / N, 2), the last site by id getting 1 minus the others.
     *   samples 1, 1, 1: 0.33, 0.33, 0.34 -> 0.34 * 100 = 34 (exact weights: 33.33...)
     *   samples 1, 7: 0.125 is exact in binary and rounds half to even, as Python's round: 0.12, 0.88 -> 12
     *   (half up would give 13; exact weights 12.5)
     */
    @Test
    void roundsWeightsToTwoDecimalsLikeTheReference() throws Exception {
        StrategySession rounded = fedavg().open(Map.of("roundWeights", "true"), StrategyContext.none());
        ParameterSet next = rounded.aggregateFit(1, set(0, 0, 0), List.of(fit("c", 1, set(100, 0, 1)),
                fit("a", 1, set(0, 0, 1)), fit("b", 1, set(0, 0, 1))), List.of());
        assertArrayEquals(new float[] {34f, 0f}, next.get("layer.weight").values(), 1e-4f);
        assertArrayEquals(new float[] {1f}, next.get("layer.bias").values(), 1e-6f);
        ParameterSet half = rounded.aggregateFit(2, set(0, 0, 0), List.of(fit("a", 1, set(100, 0, 0)),
                fit("b", 7, set(0, 0, 0))), List.of());
        assertArrayEquals(new float[] {12f, 0f}, half.get("layer.weight").values(), 1e-4f);
        ParameterSet exact = fedavg().open(Map.of(), StrategyContext.none()).aggregateFit(2, set(0, 0, 0),
                List.of(fit("a", 1, set(100, 0, 0)), fit("b", 7, set(0, 0, 0))), List.of());
        assertArrayEquals(new float[] {12.5f, 0f}, exact.get("layer.weight").values(), 1e-4f);

        RoundAggregator agg = rounded.beginRound(3, set(0, 0, 0));
        agg.accept(fit("a", 1, set(1, 1, 1)));
        String m = assertThrows(AggregationException.class, () -> agg.accept(fit("a", 1, set(2, 2, 2)))).getMessage();
        assertTrue(m.contains("site a") && m.contains("second update"), m);
        assertEquals(1, agg.accepted());
    }

    @Test
    void describesItsSettings() throws Exception {
        AggregationStrategy s = fedavg();
        assertNotNull(s.description());
        assertEquals(List.of("weighted", "acceptFailures", "roundWeights"),
                s.settings().descriptors().stream().map(d -> d.key()).toList());
        assertThrows(IllegalArgumentException.class, () -> s.open(Map.of("weigthed", "true"), StrategyContext.none()));
    }
}
