package org.fedfms.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a message's tensor directory: name, shape and the dtype its values travel in.
 *
 * @param name the parameter name
 * @param shape the dimensions (copied in and out)
 * @param dtype how the values are encoded
 */
public record TensorEntry(String name, int[] shape, WireDtype dtype) {

    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
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

    /** Bytes of this tensor's payload. */
    public long payloadBytes() {
        return elementCount() * dtype.bytesPerValue();
    }

    /** Shape as text, e.g. {@code [768, 3, 16, 16]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && dtype == t.dtype;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype);
    }

    @Override
    public String toString() {
        return name + shapeText() + " " + dtype;
    }
}
