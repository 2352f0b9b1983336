package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.fedfms.strategy.zoo.tests.Strategies.wb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy rejects unusable updates naming the site, keeps aggregating the good ones and never
 * touches the global set.
 */
class BadInputTest {

    static List<String> ids() {
        return Strategies.ALL;
    }

    /** Settings that let every strategy aggregate three good updates (Bulyan needs n >= 4f + 3). */
    private static StrategySession open(String id) {
        Map<String, ?> settings = switch (id) {
            case "krum", "multikrum", "bulyan" -> Map.of("f", 0);
            case "dp-fixed-clipping" -> Map.of("noiseMultiplier", 0.1, "seed", 3);
            default -> Map.of();
        };
        return Strategies.open(id, settings);
    }

    private static void assertRejected(RoundAggregator agg, String site, ParameterSet p, long samples, String what) {
        String m = assertThrows(AggregationException.class, () -> agg.accept(fit(site, samples, p))).getMessage();
        assertTrue(m.contains("site " + site) && m.contains(what), m);
    }

    @ParameterizedTest
    @MethodSource("ids")
    void rejectsBadUpdatesNamingTheSiteAndLeavesTheGlobalUntouched(String id) {
        StrategySession s = open(id);
        ParameterSet global = wb(0.5, -1, 2, 0.25);
        RoundAggregator agg = s.beginRound(4, global);
        agg.accept(fit("good-1", 2, wb(1, -1, 2, 0)));
        assertRejected(agg, "nan", wb(1, Float.NaN, 2, 0), 5, "nan: update holds a non-finite value: w[1] = NaN");
        assertRejected(agg, "inf", wb(1, 1, 2, Float.NEGATIVE_INFINITY), 5, "b[0] = -Infinity");
        assertRejected(agg, "empty", wb(1, 1, 1, 1), 0, "0 samples");
        ParameterSet renamed = ParameterSet.builder().add("w", new int[] {3}, new float[3])
                .add("bias", new int[] {1}, new float[1]).build();
        assertRejected(agg, "renamed", renamed, 5, "missing 'b'");
        ParameterSet reshaped = ParameterSet.builder().add("w", new int[] {1, 3}, new float[3])
                .add("b", new int[] {1}, new float[1]).build();
        assertRejected(agg, "reshaped", reshaped, 5, "'w' has shape [1, 3], expected [3]");
        agg.accept(fit("good-2", 2, wb(1, -1, 2, 0)));
        agg.accept(fit("good-3", 2, wb(1, -1, 2, 0)));
        assertEquals(3, agg.accepted());
        ParameterSet next = agg.finish(List.of(new SiteFailure("nan", "bad update")));
        assertNotNull(next);
        assertEquals(global.names(), next.names());
        assertTrue(Float.isFinite(flat(next)[1]));
        assertArrayEquals(new float[] {0.5f, -1f, 2f, 0.25f}, flat(global), id + " changed the global parameters");
    }

    @ParameterizedTest
    @MethodSource("ids")
    void failsClearlyWhenNoUsableUpdateArrived(String id) {
        StrategySession s = open(id);
        ParameterSet global = wb(0.5, -1, 2, 0.25);
        RoundAggregator agg = s.beginRound(7, global);
        assertThrows(AggregationException.class, () -> agg.accept(fit("bad", 1, wb(Float.NaN, 0, 0, 0))));
        String m = assertThrows(AggregationException.class,
                () -> agg.finish(List.of(new SiteFailure("late", "deadline")))).getMessage();
        assertTrue(m.contains("round 7") && m.contains("no site delivered"), m);
        assertArrayEquals(new float[] {0.5f, -1f, 2f, 0.25f}, flat(global));
    }

    @ParameterizedTest
    @MethodSource("ids")
    void isAServiceWithItsIdDescriptionAndSettings(String id) {
        AggregationStrategy s = Strategies.get(id);
        assertEquals(id, s.id());
        assertTrue(s.description().length() > 20, s.description());
        s.settings().descriptors().forEach(d -> assertTrue(!d.description().isBlank(), id + "." + d.key()));
        StrategySession session = open(id);
        assertEquals(id, session.strategyId());
    }
}
