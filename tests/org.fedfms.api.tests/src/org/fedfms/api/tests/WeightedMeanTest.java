package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;
import org.junit.jupiter.api.Test;

class WeightedMeanTest {

    private static ParameterSet set(float a, float b, float c) {
        return ParameterSet.builder().add("w", new int[] {2}, new float[] {a, b}).add("b", new int[] {1}, new float[] {c})
                .build();
    }

    @Test
    void averagesWithWeights() {
        WeightedMean m = new WeightedMean(set(0, 0, 0));
        m.add(set(1, 2, 3), 1);
        m.add(set(4, 8, 0), 3);
        assertEquals(4, m.totalWeight());
        ParameterSet r = m.mean();
        assertArrayEquals(new float[] {3.25f, 6.5f}, r.get("w").values(), 1e-6f);
        assertArrayEquals(new float[] {0.75f}, r.get("b").values(), 1e-6f);
        assertThrows(AggregationException.class, m::mean);
    }

    @Test
    void updateCheckNamesSiteAndProblem() {
        ParameterSet global = set(0, 0, 0);
        String m1 = assertThrows(AggregationException.class, () -> UpdateCheck.check(global,
                new FitResult("site-3", set(1, Float.POSITIVE_INFINITY, 0), 5, Metrics.empty()))).getMessage();
        assertTrue(m1.contains("site-3") && m1.contains("w[1] = Infinity"), m1);
        String m2 = assertThrows(AggregationException.class, () -> UpdateCheck.check(global,
                new FitResult("site-4", set(1, 1, 1), 0, Metrics.empty()))).getMessage();
        assertTrue(m2.contains("site-4") && m2.contains("0 samples"), m2);
        ParameterSet wrong = ParameterSet.builder().add("w", new int[] {3}, new float[3]).build();
        String m3 = assertThrows(AggregationException.class, () -> UpdateCheck.check(global,
                new FitResult("site-5", wrong, 1, Metrics.empty()))).getMessage();
        assertTrue(m3.contains("site-5") && m3.contains("'w' has shape [3]") && m3.contains("missing 'b'"), m3);
    }
}
