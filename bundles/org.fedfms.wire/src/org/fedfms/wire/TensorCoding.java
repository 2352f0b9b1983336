package org.fedfms.wire;

import java.util.Locale;
import java.util.Objects;

/**
 * How one tensor's values travel: in a float dtype, or blockwise quantized; all of them, or only the
 * {@code keepFraction} of largest magnitude (top-k: their indices and values, the rest received as 0).
 *
 * <p>Text form ({@link #parse}, {@link #toString}): {@code fp32}, {@code fp16}, {@code bf16},
 * {@code int8}, {@code nf4}, {@code fp4}, a quantization with its block size ({@code int8/128}), and
 * top-k before either ({@code topk:0.01}, values fp32; {@code topk:0.01+int8}).
 *
 * @param dtype the float dtype of the values, or of the scales when they are quantized (then fp32)
 * @param quantization the blockwise quantization of the values, or {@code null} for none
 * @param blockSize values per scale when quantized, else 0
 * @param keepFraction the fraction of values sent, in (0, 1]; 1 sends the tensor dense
 */
public record TensorCoding(WireDtype dtype, Quantization quantization, int blockSize, double keepFraction) {

    /** fp32, every value. */
    public static final TensorCoding FP32 = new TensorCoding(WireDtype.FP32, null, 0, 1);

    public TensorCoding {
        Objects.requireNonNull(dtype, "dtype");
        if (quantization == null ? blockSize != 0 : blockSize < 1 || blockSize > Quantization.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block size " + blockSize + " for " + quantization
                    + " (a quantization needs 1 to " + Quantization.MAX_BLOCK_SIZE + ", none needs 0)");
        }
        if (quantization != null && dtype != WireDtype.FP32) {
            throw new IllegalArgumentException("quantized values have fp32 scales, not " + dtype);
        }
        if (!(keepFraction > 0 && keepFraction <= 1)) {
            throw new IllegalArgumentException("top-k fraction " + keepFraction + " is outside (0, 1]");
        }
    }

    /** Every value in {@code dtype}. */
    public static TensorCoding of(WireDtype dtype) {
        return new TensorCoding(dtype, null, 0, 1);
    }

    /** Every value quantized by {@code q} in blocks of {@code blockSize}. */
    public static TensorCoding quantized(Quantization q, int blockSize) {
        return new TensorCoding(WireDtype.FP32, Objects.requireNonNull(q, "quantization"), blockSize, 1);
    }

    /** This coding applied to the {@code fraction} of values of largest magnitude only. */
    public TensorCoding topK(double fraction) {
        return new TensorCoding(dtype, quantization, blockSize, fraction);
    }

    /** Whether only some values travel (with their indices). */
    public boolean sparse() {
        return keepFraction < 1;
    }

    /**
     * How many of {@code elements} values travel: all when dense, else the fraction rounded to nearest, at
     * least one of a non-empty tensor.
     */
    public long keptCount(long elements) {
        if (!sparse() || elements == 0) {
            return elements;
        }
        return Math.max(1, Math.min(elements, Math.round(keepFraction * elements)));
    }

    /**
     * Parses the text form (see the type's description).
     *
     * @throws IllegalArgumentException naming what is wrong and what is accepted
     */
    public static TensorCoding parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        double fraction = 1;
        if (s.startsWith("topk:")) {
            int plus = s.indexOf('+');
            String f = s.substring(5, plus < 0 ? s.length() : plus);
            try {
                fraction = Double.parseDouble(f);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("top-k fraction '" + f + "' in '" + text + "' is not a number");
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("top-k fraction " + f + " in '" + text + "' is outside (0, 1]");
            }
            s = plus < 0 ? "fp32" : s.substring(plus + 1);
        }
        String base = s;
        int block = Quantization.DEFAULT_BLOCK_SIZE;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            base = s.substring(0, slash);
            try {
                block = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                block = -1;
            }
            if (block < 1 || block > Quantization.MAX_BLOCK_SIZE) {
                throw new IllegalArgumentException("block size '" + s.substring(slash + 1) + "' in '" + text
                        + "' is not a whole number from 1 to " + Quantization.MAX_BLOCK_SIZE);
            }
        }
        for (Quantization q : Quantization.values()) {
            if (q.name().toLowerCase(Locale.ROOT).equals(base)) {
                return quantized(q, block).topK(fraction);
            }
        }
        for (WireDtype d : WireDtype.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(base) && slash < 0) {
                return of(d).topK(fraction);
            }
        }
        throw new IllegalArgumentException("unknown encoding '" + text + "': expected fp32, fp16, bf16, int8, nf4 or "
                + "fp4 (a quantization may name its block size, e.g. int8/128), optionally after topk:FRACTION+ "
                + "(e.g. topk:0.01+int8)");
    }

    @Override
    public String toString() {
        String values = quantization == null ? dtype.name().toLowerCase(Locale.ROOT)
                : quantization.name().toLowerCase(Locale.ROOT)
                        + (blockSize == Quantization.DEFAULT_BLOCK_SIZE ? "" : "/" + blockSize);
        if (!sparse()) {
            return values;
        }
        return "topk:" + keepFraction + (quantization == null && dtype == WireDtype.FP32 ? "" : "+" + values);
    }
}
