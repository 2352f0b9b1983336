package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.junit.jupiter.api.Test;

class ParameterSetTest {

    private static ParameterSet sample() {
        return ParameterSet.builder()
                .add("encoder.w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .add("decoder.b", new int[] {2}, new float[] {7, 8})
                .add("encoder.b", new int[] {3}, new float[] {0, 0, 1})
                .build();
    }

    @Test
    void keepsInsertionOrderAndCountsBytes() {
        ParameterSet p = sample();
        assertEquals(List.of("encoder.w", "decoder.b", "encoder.b"), p.names());
        assertEquals(11, p.parameterCount());
        assertEquals(44, p.sizeInBytes());
    }

    @Test
    void selectsByPredicateAndByNameInStableOrder() {
        ParameterSet p = sample();
        assertEquals(List.of("encoder.w", "encoder.b"), p.select(n -> n.startsWith("encoder.")).names());
        assertEquals(List.of("encoder.w", "decoder.b"), p.select(List.of("decoder.b", "encoder.w")).names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.select(List.of("decoder.b", "nope", "also.nope")));
        assertTrue(e.getMessage().contains("also.nope") && e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void equalityWithTolerance() {
        ParameterSet a = sample();
        ParameterSet b = a.copy();
        b.get("decoder.b").values()[1] += 1e-4f;
        assertTrue(a.equalsWithin(b, 1e-3));
        assertFalse(a.equalsWithin(b, 1e-5));
        assertEquals(1e-4, a.maxAbsDifference(b), 1e-6);
        ParameterSet c = ParameterSet.builder().add("encoder.w", new int[] {3, 2}, new float[6]).build();
        assertFalse(a.equalsWithin(c, 1));
        List<String> diffs = a.layoutDifferences(c);
        assertTrue(diffs.contains("'encoder.w' has shape [3, 2], expected [2, 3]"), diffs.toString());
        assertTrue(diffs.contains("missing 'decoder.b'"), diffs.toString());
    }

    @Test
    void rejectsBadTensors() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("x", new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(" ", new int[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> ParameterSet.builder()
                .add("x", new int[] {1}, new float[1]).add("x", new int[] {1}, new float[1]));
    }

    @Test
    void findsNonFiniteValues() {
        ParameterSet p = sample();
        assertNull(p.firstNonFinite());
        ParameterSet q = p.copy();
        q.get("encoder.b").values()[2] = Float.NaN;
        assertEquals("encoder.b[2] = NaN", q.firstNonFinite());
        assertEquals(Double.POSITIVE_INFINITY, p.maxAbsDifference(q));
    }

    @Test
    void screensNonFiniteValuesOnce() {
        ParameterSet p = sample();
        ParameterSet screened = p.screenedFinite();
        assertEquals(p.names(), screened.names());
        assertTrue(screened.get("encoder.w") == p.get("encoder.w"), "the tensors are shared, not copied");
        assertNull(screened.firstNonFinite());
        assertTrue(screened.screenedFinite() == screened);
        ParameterSet q = p.copy();
        q.get("decoder.b").values()[1] = Float.NEGATIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, q::screenedFinite);
        assertEquals("decoder.b[1] = -Infinity", e.getMessage());
        assertEquals("decoder.b[1] = -Infinity", q.firstNonFinite(), "an unscreened set scans every time");
    }

    @Test
    void replacesOnlyMatchingTensors() {
        ParameterSet p = sample();
        ParameterSet update = ParameterSet.builder().add("decoder.b", new int[] {2}, new float[] {9, 9}).build();
        ParameterSet r = p.withReplaced(update);
        assertEquals(p.names(), r.names());
        assertEquals(9f, r.get("decoder.b").values()[0]);
        assertEquals(7f, p.get("decoder.b").values()[0]);
        assertThrows(IllegalArgumentException.class, () -> p.withReplaced(
                ParameterSet.builder().add("decoder.b", new int[] {3}, new float[3]).build()));
    }
}
