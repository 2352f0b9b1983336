package org.fedfms.wire.internal;

import java.util.Arrays;

import org.fedfms.wire.Quantization;
import org.fedfms.wire.TensorCoding;

/**
 * The value transforms behind {@link TensorCoding}: top-k selection and blockwise absmax quantization,
 * deterministic, so that a sender can compute exactly what its receiver will decode.
 */
public final class BlockCodec {

    private BlockCodec() {
    }

    /** One tensor's values as they travel: indices (top-k only), then scales and codes, or plain values. */
    public record Coded(int[] indices, float[] scales, byte[] codes, float[] values) {
    }

    /**
     * Codes {@code values} (not changed) as {@code coding} says.
     *
     * @throws IllegalArgumentException if a value is NaN or infinite and the coding is quantized or
     *     top-k (neither can carry them)
     */
    public static Coded code(String tensor, float[] values, TensorCoding coding) {
        if (coding.sparse() || coding.quantization() != null) {
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new IllegalArgumentException("tensor '" + tensor + "' has the non-finite value "
                            + values[i] + " at index " + i + ": " + coding + " cannot carry it (send fp32)");
                }
            }
        }
        int[] indices = null;
        float[] v = values;
        if (coding.sparse()) {
            indices = topK(values, (int) coding.keptCount(values.length));
            v = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                v[i] = values[indices[i]];
            }
        }
        Quantization q = coding.quantization();
        if (q == null) {
            return new Coded(indices, null, null, v);
        }
        int block = coding.blockSize();
        float[] scales = new float[blocks(v.length, block)];
        byte[] codes = new byte[(int) q.codeBytes(v.length)];
        for (int b = 0; b < scales.length; b++) {
            int from = b * block;
            int to = Math.min(v.length, from + block);
            float s = 0;
            for (int i = from; i < to; i++) {
                s = Math.max(s, Math.abs(v[i]));
            }
            scales[b] = s;
            for (int i = from; i < to; i++) {
                int c = q.nearest(s == 0 ? 0f : v[i] / s);
                if (q.bits() == 8) {
                    codes[i] = (byte) c;
                } else {
                    codes[i >> 1] |= (byte) ((i & 1) == 0 ? c : c << 4);
                }
            }
        }
        return new Coded(indices, scales, codes, null);
    }

    /** What a receiver decodes from {@code values} coded by {@code coding} (a new array, same length). */
    public static float[] roundTrip(String tensor, float[] values, TensorCoding coding) {
        return expand(code(tensor, values, coding), values.length, coding);
    }

    /** The dense values {@code c} stands for. */
    public static float[] expand(Coded c, int elements, TensorCoding coding) {
        float[] v;
        if (c.values() != null) {
            v = new float[c.values().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = coding.dtype().roundTrip(c.values()[i]);
            }
        } else {
            int n = c.indices() == null ? elements : c.indices().length;
            v = new float[n];
            Quantization q = coding.quantization();
            for (int i = 0; i < n; i++) {
                int code = q.bits() == 8 ? c.codes()[i] & 0xFF : (c.codes()[i >> 1] >> ((i & 1) * 4)) & 0xF;
                v[i] = q.level(code) * c.scales()[i / coding.blockSize()];
            }
        }
        if (c.indices() == null) {
            return v;
        }
        float[] dense = new float[elements];
        for (int i = 0; i < c.indices().length; i++) {
            dense[c.indices()[i]] = v[i];
        }
        return dense;
    }

    /** Number of blocks of {@code blockSize} that hold {@code n} values. */
    public static int blocks(long n, int blockSize) {
        return (int) ((n + blockSize - 1) / blockSize);
    }

    /**
     * The indices of the {@code k} values of largest magnitude, ascending; among equal magnitudes the lower
     * indices win.
     */
    public static int[] topK(float[] values, int k) {
        if (k >= values.length) {
            int[] all = new int[values.length];
            Arrays.setAll(all, i -> i);
            return all;
        }
        float[] mag = new float[values.length];
        for (int i = 0; i < mag.length; i++) {
            mag[i] = Math.abs(values[i]);
        }
        float[] sorted = mag.clone();
        Arrays.sort(sorted);
        float threshold = sorted[values.length - k];
        int above = 0;
        for (float m : mag) {
            if (m > threshold) {
                above++;
            }
        }
        int ties = k - above;
        int[] idx = new int[k];
        int n = 0;
        for (int i = 0; i < mag.length && n < k; i++) {
            if (mag[i] > threshold || (mag[i] == threshold && ties-- > 0)) {
                idx[n++] = i;
            }
        }
        return idx;
    }
}
