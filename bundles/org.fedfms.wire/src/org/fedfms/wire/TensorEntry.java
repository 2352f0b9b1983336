package org.fedfms.wire;

import java.util.Arrays;
import java.util.Objects;

import org.fedfms.wire.internal.BlockCodec;

/**
 * One entry of a message's tensor directory: name, shape and how its values travel.
 *
 * @param name the parameter name
 * @param shape the dimensions (copied in and out)
 * @param dtype how the values are encoded (fp32 when they are quantized: the scales' dtype)
 * @param quantization the values' blockwise quantization, or {@code null}
 * @param blockSize values per scale when quantized, else 0
 * @param nonZeros how many values travel with their indices (top-k), or -1 when all travel
 */
public record TensorEntry(String name, int[] shape, WireDtype dtype, Quantization quantization, int blockSize,
        long nonZeros) {

    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A dense entry whose values travel in {@code dtype}. */
    public TensorEntry(String name, int[] shape, WireDtype dtype) {
        this(name, shape, dtype, null, 0, -1);
    }

    /** The entry of a tensor of {@code shape} sent with {@code coding}. */
    public static TensorEntry of(String name, int[] shape, TensorCoding coding) {
        TensorEntry dense = new TensorEntry(name, shape, coding.dtype(), coding.quantization(), coding.blockSize(),
                -1);
        return coding.sparse()
                ? new TensorEntry(name, shape, coding.dtype(), coding.quantization(), coding.blockSize(),
                        coding.keptCount(dense.elementCount()))
                : dense;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of values: the product of the dimensions. */
    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Whether only some values travel, with their indices. */
    public boolean sparse() {
        return nonZeros >= 0;
    }

    /** Whether the values travel in plain {@link #dtype()}, all of them, in order. */
    public boolean plain() {
        return quantization == null && !sparse();
    }

    /** How each value that travels is coded (dtype or quantization), leaving the selection aside. */
    public TensorCoding valueCoding() {
        return new TensorCoding(dtype, quantization, blockSize, 1);
    }

    /** Number of values that travel: all, or the top-k. */
    public long sentCount() {
        return sparse() ? nonZeros : elementCount();
    }

    /** Bytes of this tensor's payload. */
    public long payloadBytes() {
        long v = sentCount();
        long indices = sparse() ? 4 * v : 0;
        if (quantization == null) {
            return indices + v * dtype.bytesPerValue();
        }
        return indices + 4L * BlockCodec.blocks(v, blockSize) + quantization.codeBytes(v);
    }

    /** Shape as text, e.g. {@code [768, 3, 16, 16]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && dtype == t.dtype && quantization == t.quantization && blockSize == t.blockSize
                && nonZeros == t.nonZeros;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype, quantization, blockSize, nonZeros);
    }

    @Override
    public String toString() {
        return name + shapeText() + " " + (plain() ? dtype.toString() : valueCoding() + (sparse() ? " top "
                + nonZeros : ""));
    }
}
