package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fedfms.api.Metrics;
import org.junit.jupiter.api.Test;

/** {@link Metrics#weightedMean}: NaN scores are left out of the means, empty counts are added up. */
class MetricsMeanTest {

    private record Site(int samples, Metrics metrics) {
    }

    @Test
    void nanScoresAreLeftOutAndEmptyCountsAddUp() {
        List<Site> sites = List.of(
                new Site(4, Metrics.of("dice", 0.8, "loss", 0.5, Metrics.EMPTY_COUNT, 1)),
                new Site(2, Metrics.of("dice", Double.NaN, "loss", 0.2, Metrics.EMPTY_COUNT, 2)),
                new Site(6, Metrics.of("dice", 0.5, "loss", 0.1, Metrics.EMPTY_COUNT, 0)));
        Metrics m = Metrics.weightedMean(sites, Site::metrics, Site::samples);
        assertEquals((4 * 0.8 + 6 * 0.5) / 10, m.get("dice").orElseThrow(), 1e-12, "the NaN site does not count");
        assertEquals((4 * 0.5 + 2 * 0.2 + 6 * 0.1) / 12, m.get("loss").orElseThrow(), 1e-12);
        assertEquals(3.0, m.get(Metrics.EMPTY_COUNT).orElseThrow(), 0.0, "counts are summed, not averaged");
        assertEquals(List.of("dice", "loss", "empty"), List.copyOf(m.values().keySet()));
    }

    @Test
    void aMetricNanEverywhereIsNan() {
        List<Metrics> samples = List.of(Metrics.of("dice", Double.NaN, Metrics.EMPTY_COUNT, 1),
                Metrics.of("dice", Double.NaN, Metrics.EMPTY_COUNT, 1));
        Metrics m = Metrics.weightedMean(samples, x -> x, x -> 1.0);
        assertTrue(Double.isNaN(m.get("dice").orElseThrow()));
        assertEquals(2.0, m.get(Metrics.EMPTY_COUNT).orElseThrow(), 0.0);
        assertTrue(Metrics.isCount("empty"));
    }
}
