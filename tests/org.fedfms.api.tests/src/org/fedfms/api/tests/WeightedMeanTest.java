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
    void foldsInPairsWithTheSameResultForAnyCount() {
        for (int n = 1; n <= 5; n++) {
            WeightedMean m = new WeightedMean(set(0, 0, 0));
            double[] expected = new double[3];
            double total = 0;
            for (int i = 1; i <= n; i++) {
                m.add(set(i, -2 * i, i * i), i);
                expected[0] += i * i;
                expected[1] += -2.0 * i * i;
                expected[2] += (double) i * i * i;
                total += i;
            }
            assertEquals(n, m.count());
            ParameterSet r = m.mean();
            assertArrayEquals(new float[] {(float) (expected[0] / total), (float) (expected[1] / total)},
                    r.get("w").values(), 1e-5f, "n=" + n);
            assertArrayEquals(new float[] {(float) (expected[2] / total)}, r.get("b").values(), 1e-5f, "n=" + n);
            assertEquals(0, m.count());
        }
    }

    @Test
    void theMeanOwnsNewArrays() {
        ParameterSet only = set(1, 2, 3);
        WeightedMean m = new WeightedMean(only);
        m.add(only, 2);
        ParameterSet r = m.mean();
        assertArrayEquals(new float[] {1, 2}, r.get("w").values(), 1e-6f);
        assertTrue(r.get("w").values() != only.get("w").values());
        assertThrows(IllegalArgumentException.class, () -> m.add(only, 0));
        assertThrows(IllegalArgumentException.class, () -> m.add(only, Double.POSITIVE_INFINITY));
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
