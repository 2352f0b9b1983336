package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.train.SegmentationMetrics;
import org.fedfms.train.SegmentationMetrics.Scores;
import org.junit.jupiter.api.Test;

/**
 * Dice, IoU and HD95 against values worked out by hand; the HD95 boundary convention against medpy
 * ({@code medpy.metric.hd95}: boundaries by erosion with scipy's default border, numpy's percentile).
 */
class SegmentationMetricsTest {

    private static final double EPS = 1e-9;

    /** Logits +3 where {@code pred} is set, -3 elsewhere. */
    private static float[] logits(byte[] pred) {
        float[] l = new float[pred.length];
        for (int i = 0; i < pred.length; i++) {
            l[i] = pred[i] != 0 ? 3f : -3f;
        }
        return l;
    }

    /** A mask of h×w with the rectangle rows [r0, r1) and columns [c0, c1) set. */
    private static byte[] rect(int h, int w, int r0, int r1, int c0, int c1) {
        byte[] m = new byte[h * w];
        for (int y = r0; y < r1; y++) {
            for (int x = c0; x < c1; x++) {
                m[y * w + x] = 1;
            }
        }
        return m;
    }

    private static byte[] disk(int h, int w, int cy, int cx, int r2) {
        byte[] m = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r2) {
                    m[y * w + x] = 1;
                }
            }
        }
        return m;
    }

    @Test
    void diceAndIouOfOverlappingRectangles() {
        // prediction 2x2 inside a 2x3 truth: intersection 4, |P| 4, |G| 6
        byte[] pred = rect(4, 4, 0, 2, 0, 2);
        byte[] truth = rect(4, 4, 0, 2, 0, 3);
        Scores s = SegmentationMetrics.standard(logits(pred), truth, 4, 4);
        assertEquals(0.8, s.dice(), EPS);
        assertEquals(4.0 / 6.0, s.iou(), EPS);
        // boundaries: the truth's column 2 lies 1 px from the prediction, everything else on it
        assertEquals(1.0, s.hd95(), EPS);
    }

    @Test
    void labelsAboveOneCountAsForegroundAndTheThresholdIsLogitZero() {
        byte[] truth = {0, 2, 1, 0};
        float[] logits = {-0.01f, 0.01f, 5f, 0f};
        Scores s = SegmentationMetrics.standard(logits, truth, 2, 2);
        assertEquals(1.0, s.dice(), EPS);
        assertEquals(1.0, s.iou(), EPS);
        assertEquals(0.0, s.hd95(), EPS);
    }

    @Test
    void emptyMasks() {
        byte[] none = new byte[6 * 8];
        // absent from both: no score at all (NaN, left out of means and counted), not a perfect 1
        Scores bothEmpty = SegmentationMetrics.standard(logits(none), none, 6, 8);
        assertTrue(bothEmpty.absent());
        assertTrue(Double.isNaN(bothEmpty.dice()));
        assertTrue(Double.isNaN(bothEmpty.iou()));
        assertTrue(Double.isNaN(bothEmpty.hd95()));
        assertTrue(SegmentationMetrics.reference(logits(none), none, 6, 8).absent(), "reference variant too");

        byte[] some = rect(6, 8, 1, 3, 1, 3);
        Scores missed = SegmentationMetrics.standard(logits(none), some, 6, 8);
        assertEquals(0.0, missed.dice(), EPS);
        assertEquals(0.0, missed.iou(), EPS);
        assertEquals(10.0, missed.hd95(), EPS, "one mask empty: the image diagonal, sqrt(6^2 + 8^2)");
        assertFalse(missed.absent());

        Scores falseAlarm = SegmentationMetrics.standard(logits(some), none, 6, 8);
        assertEquals(0.0, falseAlarm.dice(), EPS);
        assertEquals(10.0, falseAlarm.hd95(), EPS);
    }

    @Test
    void hd95OfShapesWithKnownDistances() {
        // single pixels at (2,2) and (5,6): a 3-4-5 triangle
        byte[] a = new byte[100];
        byte[] b = new byte[100];
        a[2 * 10 + 2] = 1;
        b[5 * 10 + 6] = 1;
        assertEquals(5.0, SegmentationMetrics.standard(logits(a), b, 10, 10).hd95(), EPS);

        // a 14x14 square around a 10x10 one, 2 px away on every side: the 36 truth boundary pixels and 40 of
        // the 52 predicted ones are 2 px away, 8 predicted pixels next to the corners sqrt(5), the 4 corners
        // sqrt(8); the 95th percentile of the 88 distances (rank 82.65) falls among the sqrt(5)s
        byte[] truth = rect(30, 30, 5, 15, 5, 15);
        byte[] pred = rect(30, 30, 3, 17, 3, 17);
        assertEquals(Math.sqrt(5), SegmentationMetrics.standard(logits(pred), truth, 30, 30).hd95(), EPS);
    }

    @Test
    void foregroundOnTheImageEdgeIsBoundaryAsInMedpy() {
        // truth: rows 0-5 across the whole width; prediction: its left half. The truth's far column and the
        // ends of its rows 0 and 5 lie 8 px from the prediction's boundary: 6 of the 64 distances, so the
        // 95th percentile is 8 (medpy gives 8.0; counting the outside as foreground would give 6.6)
        byte[] truth = rect(16, 16, 0, 6, 0, 16);
        byte[] pred = rect(16, 16, 0, 6, 0, 8);
        assertEquals(8.0, SegmentationMetrics.standard(logits(pred), truth, 16, 16).hd95(), EPS);

        // two discs cut by the image border; medpy.metric.hd95 gives 2.8284271247461903
        byte[] g = disk(20, 20, 2, 3, 36);
        byte[] p = disk(20, 20, 4, 2, 49);
        assertEquals(2.8284271247461903, SegmentationMetrics.standard(logits(p), g, 20, 20).hd95(), 1e-12);
    }

    @Test
    void referenceVariantAveragesOverThresholdsOnRawLogits() {
        float[] logits = {0.95f, 0.85f, 0.75f, 0.65f, 0.55f, 0.45f, 0.35f, 0.25f, 0.15f, 0.05f};
        byte[] truth = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
        // the reference's five thresholds 0.1, 0.3, 0.5, 0.7, 0.9 keep the logits above them: 9, 7, 5, 3, 1 pixels
        double dice = 0;
        double iou = 0;
        for (int predicted = 9; predicted >= 1; predicted -= 2) {
            int inter = Math.min(predicted, 5);
            dice += 2.0 * inter / (predicted + 5);
            iou += (double) inter / (predicted + 5 - inter);
        }
        Scores ref = SegmentationMetrics.reference(logits, truth, 1, 10);
        assertEquals(dice / 5, ref.dice(), EPS);
        assertEquals(iou / 5, ref.iou(), EPS);
        assertEquals(0.7261904761904762, ref.dice(), 1e-12, "numpy's value over the five thresholds");
        assertEquals(0.613968253968254, ref.iou(), 1e-12, "numpy's value over the five thresholds");

        // standard: sigmoid > 0.5, i.e. every positive logit: all 10 pixels
        Scores std = SegmentationMetrics.standard(logits, truth, 1, 10);
        assertEquals(10.0 / 15.0, std.dice(), EPS);
        assertEquals(0.5, std.iou(), EPS);
        assertEquals(std.hd95(), ref.hd95(), 0.0, "HD95 thresholds the sigmoid at 0.5 in both variants");
    }

    @Test
    void mismatchedSizesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmentationMetrics.standard(new float[12], new byte[12], 3, 5));
        assertEquals("12 logits and 12 ground truth pixels do not match 3x5", e.getMessage());
    }
}
