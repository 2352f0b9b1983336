package org.fedfms.data;

import java.util.Arrays;

/**
 * A window of raw intensities mapped linearly onto 0..255 (values outside are clamped): the one
 * intensity normalisation of the file loaders.
 *
 * @param low raw value that becomes 0
 * @param high raw value that becomes 255
 */
public record IntensityWindow(double low, double high) {

    /** Values above which {@link #percentile} estimates from an even subsample. */
    static final int PERCENTILE_SAMPLE = 1 << 20;

    /** The identity on 0..255. */
    public static final IntensityWindow BYTE_RANGE = new IntensityWindow(0, 255);

    public IntensityWindow {
        if (Double.isNaN(low) || Double.isNaN(high) || Double.isInfinite(low) || Double.isInfinite(high)) {
            throw new IllegalArgumentException("intensity window [" + low + ", " + high + "] is not finite");
        }
        if (high < low) {
            throw new IllegalArgumentException("intensity window [" + low + ", " + high + "] is reversed");
        }
    }

    /** The raw value mapped to 0..255; a window of zero width maps everything to 0. */
    public float apply(double v) {
        if (high == low) {
            return 0f;
        }
        double x = (v - low) * 255.0 / (high - low);
        return (float) (x < 0 ? 0 : x > 255 ? 255 : x);
    }

    /** Applies the window to every value, in place. */
    public float[] applyInPlace(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = apply(values[i]);
        }
        return values;
    }

    /** The smallest and largest finite value. */
    public static IntensityWindow minMax(float[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo > hi ? new IntensityWindow(0, 0) : new IntensityWindow(lo, hi);
    }

    /**
     * The {@code lowPercent} and {@code highPercent} percentiles of the finite values (linear
     * interpolation between ranks); more than a million values are subsampled evenly.
     */
    public static IntensityWindow percentile(float[] values, double lowPercent, double highPercent) {
        if (!(lowPercent >= 0 && highPercent <= 100 && lowPercent <= highPercent)) {
            throw new IllegalArgumentException("percentiles must satisfy 0 <= low <= high <= 100, got " + lowPercent
                    + " and " + highPercent);
        }
        int stride = Math.max(1, (values.length + PERCENTILE_SAMPLE - 1) / PERCENTILE_SAMPLE);
        float[] sample = new float[(values.length + stride - 1) / stride];
        int n = 0;
        for (int i = 0; i < values.length; i += stride) {
            if (Float.isFinite(values[i])) {
                sample[n++] = values[i];
            }
        }
        if (n == 0) {
            return new IntensityWindow(0, 0);
        }
        float[] sorted = Arrays.copyOf(sample, n);
        Arrays.sort(sorted);
        return new IntensityWindow(rank(sorted, lowPercent), rank(sorted, highPercent));
    }

    /**
     * The window that keeps data already in 0..255 as it is, scales data in 0..1 by 255 and stretches
     * anything else from its minimum to its maximum.
     */
    public static IntensityWindow auto(float[] values) {
        IntensityWindow mm = minMax(values);
        if (mm.low >= 0 && mm.high <= 1.0) {
            return new IntensityWindow(0, 1);
        }
        if (mm.low >= 0 && mm.high <= 255) {
            return BYTE_RANGE;
        }
        return mm;
    }

    private static double rank(float[] sorted, double percent) {
        double pos = percent / 100.0 * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        double f = pos - i;
        return sorted[i] + (sorted[j] - sorted[i]) * f;
    }
}
