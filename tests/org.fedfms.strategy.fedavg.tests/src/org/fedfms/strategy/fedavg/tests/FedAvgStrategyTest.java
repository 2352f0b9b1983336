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
        assertEquals(Map.of("weighted", false, "acceptFailures", true), session.settings());
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

    @Test
    void describesItsSettings() throws Exception {
        AggregationStrategy s = fedavg();
        assertNotNull(s.description());
        assertEquals(List.of("weighted", "acceptFailures"),
                s.settings().descriptors().stream().map(d -> d.key()).toList());
        assertThrows(IllegalArgumentException.class, () -> s.open(Map.of("weigthed", "true"), StrategyContext.none()));
    }
}
