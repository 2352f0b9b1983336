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

    private static final int FINITE_BLOCK = 4096;

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
        // A sum over a block is NaN or infinite if a value is; eight independent sums keep the screen
        // at memory speed. A sum of finite values that overflows only sends its block to the exact scan.
        for (int from = 0; from < values.length; from += FINITE_BLOCK) {
            int to = Math.min(values.length, from + FINITE_BLOCK);
            if (!Float.isFinite(blockSum(from, to))) {
                for (int i = from; i < to; i++) {
                    if (!Float.isFinite(values[i])) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    private float blockSum(int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int k = from;
        for (; k + 7 < to; k += 8) {
            s0 += values[k];
            s1 += values[k + 1];
            s2 += values[k + 2];
            s3 += values[k + 3];
            s4 += values[k + 4];
            s5 += values[k + 5];
            s6 += values[k + 6];
            s7 += values[k + 7];
        }
        for (; k < to; k++) {
            s0 += values[k];
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
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
