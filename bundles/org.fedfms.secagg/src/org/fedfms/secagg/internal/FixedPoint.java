package org.fedfms.secagg.internal;

/**
 * Fixed-point encoding of a weighted update in the ring Z_2^64: each value is clipped to [-{@link #CLIP},
 * {@link #CLIP}], scaled by 2^{@link #FRACTION_BITS} and rounded, then multiplied by the site's integer weight; the
 * weight itself is the vector's last element. Sums stay exact as long as the total weight is below
 * {@link #MAX_TOTAL_WEIGHT} (2^62 / (CLIP * 2^FRACTION_BITS) = 2^28), so no sum of clipped values can wrap around;
 * the mean's rounding error is at most 2^-(FRACTION_BITS + 1), about 3e-8.
 */
public final class FixedPoint {

    /** Fractional bits of the fixed-point values. */
    public static final int FRACTION_BITS = 24;

    /** Values are clipped to this magnitude before encoding. */
    public static final double CLIP = 1024.0;

    /** The largest total weight (sum of sample counts) whose weighted sum cannot wrap in Z_2^64. */
    public static final long MAX_TOTAL_WEIGHT = 1L << 28;

    private static final double SCALE = 1L << FRACTION_BITS;

    private FixedPoint() {
    }

    /** The ring vector of {@code weight} times {@code values}, with {@code weight} appended. */
    public static long[] encode(float[] values, long weight) {
        long[] ring = new long[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            double v = Math.max(-CLIP, Math.min(CLIP, values[i]));
            ring[i] = Math.round(v * SCALE) * weight;
        }
        ring[values.length] = weight;
        return ring;
    }

    /** The weighted mean encoded in an unmasked sum (its last element is the total weight). */
    public static float[] mean(long[] sum) {
        long weight = sum[sum.length - 1];
        float[] mean = new float[sum.length - 1];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (sum[i] / SCALE / weight);
        }
        return mean;
    }
}
