package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.fedfms.api.strategy.CoordinateSort;
import org.junit.jupiter.api.Test;

class CoordinateSortTest {

    @Test
    void sortsEveryCoordinateForAnyNumberOfInputs() {
        Random random = new Random(3);
        int size = 2 * CoordinateSort.BLOCK + 17;
        for (int n = 1; n <= 12; n++) {
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] x = new float[size];
                for (int k = 0; k < size; k++) {
                    x[k] = random.nextInt(5) - 2 + (float) random.nextGaussian();
                }
                inputs.add(x);
            }
            List<float[]> copies = inputs.stream().map(float[]::clone).toList();
            int inputs0 = n;
            float[][] sorted = new float[n][size];
            float[] out = new float[size];
            new CoordinateSort(n).reduce(inputs, out, (s, len, o, off) -> {
                for (int i = 0; i < inputs0; i++) {
                    System.arraycopy(s[i], 0, sorted[i], off, len);
                }
                System.arraycopy(s[inputs0 - 1], 0, o, off, len);
            });
            for (int k = 0; k < size; k++) {
                float[] col = new float[n];
                for (int i = 0; i < n; i++) {
                    col[i] = inputs.get(i)[k];
                }
                Arrays.sort(col);
                for (int i = 0; i < n; i++) {
                    assertEquals(col[i], sorted[i][k], "n=" + n + " index " + k + " rank " + i);
                }
                assertEquals(col[n - 1], out[k]);
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(copies.get(i), inputs.get(i), "inputs are not modified");
            }
        }
    }

    @Test
    void usesBatchersNetworkSizes() {
        // Knuth, TAOCP 5.3.4: merge exchange needs 19 comparators for 8 keys, 63 for 16
        assertEquals(19, new CoordinateSort(8).comparators());
        assertEquals(63, new CoordinateSort(16).comparators());
        assertThrows(IllegalArgumentException.class, () -> new CoordinateSort(0));
        CoordinateSort two = new CoordinateSort(2);
        assertThrows(IllegalArgumentException.class,
                () -> two.reduce(List.of(new float[3], new float[2]), new float[3], (s, l, o, f) -> { }));
    }
}
