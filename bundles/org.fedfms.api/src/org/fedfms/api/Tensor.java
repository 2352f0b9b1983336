package org.fedfms.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named fp32 tensor: shape plus values in row-major order.
 *
 * <p>The values array is shared, not copied: a model has hundreds of megabytes of parameters and
 * aggregation must stream over them. Whoever creates a tensor hands over its array; everybody else
 * treats {@link #values()} as read-only.
 */
public final class Tensor {

    private final String name;
    private final int[] shape;
    private final float[] values;

    private Tensor(String name, int[] shape, float[] values) {
        this.name = name;
        this.shape = shape;
        this.values = values;
    }

    /**
     * Wraps {@code values} (not copied) as a tensor of the given shape.
     *
     * @throws IllegalArgumentException if the name is blank, a dimension is negative or the element
     *     count does not match the shape
     */
    public static Tensor of(String name, int[] shape, float[] values) {
        Objects.requireNonNull(values, "values");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tensor name must not be blank");
        }
        int[] s = shape.clone();
        long count = elementCount(name, s);
        if (count != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(s)
                    + " holds " + count + " values but " + values.length + " were given");
        }
        return new Tensor(name, s, values);
    }

    /** A tensor of zeros with the given shape. */
    public static Tensor zeros(String name, int... shape) {
        long count = elementCount(name, shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' too large: " + count + " values");
        }
        return of(name, shape, new float[(int) count]);
    }

    private static long elementCount(String name, int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
            count *= d;
        }
        return count;
    }

    public String name() {
        return name;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return shape[i];
    }

    /** The backing values, row-major. Read-only by contract (see the class comment). */
    public float[] values() {
        return values;
    }

    public int size() {
        return values.length;
    }

    /** Whether {@code other} has exactly this shape. */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Same name and shape, values copied into a new array. */
    public Tensor copy() {
        return new Tensor(name, shape, values.clone());
    }

    /** Same values and shape under another name. */
    public Tensor renamed(String newName) {
        return of(newName, shape, values);
    }

    /** Index of the first value that is NaN or infinite, or -1 if all are finite. */
    public int firstNonFinite() {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Shape as text, e.g. {@code [768, 3, 16, 16]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + shapeText();
    }
}
