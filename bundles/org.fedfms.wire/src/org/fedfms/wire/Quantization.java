package org.fedfms.wire;

import java.util.Arrays;

/**
 * Blockwise absmax quantization of a tensor's values: each block of {@code blockSize} consecutive values
 * travels as one fp32 scale (the block's largest magnitude) and one small code per value, the code
 * naming an entry of a fixed table of levels in [-1, 1]. A value {@code x} of a block with scale
 * {@code s} is received as {@code table[code] * s}, the level nearest to {@code x / s}.
 */
public enum Quantization {
    /** 8-bit symmetric integers: levels {@code k / 127}, k in [-127, 127]; error at most scale/254. */
    INT8(3, 8, int8Levels()),
    /**
     * 4-bit NormalFloat (QLoRA): 16 levels at quantiles of a standard normal, normalized to [-1, 1], with
     * an exact zero; suits the roughly normal values of weights and updates.
     */
    NF4(4, 4, new float[] {-1.0f, -0.6961928f, -0.52507305f, -0.39491749f, -0.28444138f, -0.18477343f,
            -0.09105004f, 0.0f, 0.0795803f, 0.1609302f, 0.2461123f, 0.33791524f, 0.44070983f, 0.562617f,
            0.72295684f, 1.0f}),
    /**
     * 4-bit floats (e2m1: 1 sign, 2 exponent, 1 mantissa bit): magnitudes 0, 0.5, 1, 1.5, 2, 3, 4 and 6,
     * divided by 6 so that the largest is 1.
     */
    FP4(5, 4, fp4Levels());

    /** Largest block size the format holds. */
    public static final int MAX_BLOCK_SIZE = 1 << 16;
    /** Block size when none is given. */
    public static final int DEFAULT_BLOCK_SIZE = 64;

    private final int code;
    private final int bits;
    private final float[] levels;
    private final float[] mids;
    private final float maxHalfGap;

    Quantization(int code, int bits, float[] levels) {
        this.code = code;
        this.bits = bits;
        this.levels = levels;
        this.mids = new float[levels.length - 1];
        float gap = 0;
        for (int i = 0; i < mids.length; i++) {
            mids[i] = (levels[i] + levels[i + 1]) / 2;
            gap = Math.max(gap, (levels[i + 1] - levels[i]) / 2);
        }
        this.maxHalfGap = gap;
    }

    /** The byte that stands for this quantization in a tensor's dtype field. */
    public int code() {
        return code;
    }

    /** Bits per code: 8 or 4. */
    public int bits() {
        return bits;
    }

    /** Number of levels a code can name (also the number of valid codes). */
    public int levelCount() {
        return levels.length;
    }

    /** The level that code {@code c} names, in [-1, 1]. */
    public float level(int c) {
        return levels[c];
    }

    /**
     * The largest distance from a value in [-1, 1] to its nearest level: the error bound of one value,
     * in units of its block's scale.
     */
    public float maxHalfGap() {
        return maxHalfGap;
    }

    /** The code of the level nearest to {@code x} (in [-1, 1]); ties go to the lower level. */
    public int nearest(float x) {
        int i = Arrays.binarySearch(mids, x);
        return i >= 0 ? i : -i - 1;
    }

    /** Bytes of the codes of {@code values} values (two 4-bit codes share a byte). */
    public long codeBytes(long values) {
        return bits == 8 ? values : (values + 1) / 2;
    }

    /** The quantization with that code, or {@code null}. */
    static Quantization fromCode(int code) {
        for (Quantization q : values()) {
            if (q.code == code) {
                return q;
            }
        }
        return null;
    }

    private static float[] int8Levels() {
        float[] l = new float[255];
        for (int k = -127; k <= 127; k++) {
            l[k + 127] = k / 127f;
        }
        return l;
    }

    private static float[] fp4Levels() {
        float[] mag = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        float[] l = new float[15];
        for (int i = 0; i < 8; i++) {
            l[7 + i] = mag[i] / 6f;
            l[7 - i] = -mag[i] / 6f;
        }
        return l;
    }
}
