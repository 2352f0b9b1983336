package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fedfms.api.Tensor;
import org.junit.jupiter.api.Test;

class TensorFiniteTest {

    @Test
    void findsTheFirstNonFiniteValueAnywhere() {
        int n = 3 * 4096 + 7;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 2 == 0 ? 1 : -1) * Float.MAX_VALUE;
        }
        Tensor t = Tensor.of("t", new int[] {n}, v);
        assertEquals(-1, t.firstNonFinite());
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 1, 4095, 4096, 8190, n - 7, n - 1}) {
                float keep = v[at];
                v[at] = bad;
                assertEquals(at, t.firstNonFinite(), bad + " at " + at);
                v[n - 1] = Float.NaN;
                assertEquals(at, t.firstNonFinite(), "the first of two, " + bad + " at " + at);
                v[n - 1] = at == n - 1 ? bad : -Float.MAX_VALUE;
                v[at] = keep;
            }
        }
        assertEquals(-1, Tensor.zeros("e", 0).firstNonFinite());
    }
}
