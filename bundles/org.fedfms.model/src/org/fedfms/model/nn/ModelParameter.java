package org.fedfms.model.nn;

import java.util.Arrays;
import java.util.Objects;

import ai.djl.ndarray.NDArray;

/**
 * One named tensor of a model: a learnable parameter or a buffer (a fixed tensor stored with the
 * model, such as SAM's random Fourier matrix). Its shape is known before memory is allocated, so
 * models can be counted without being built; its values live in an {@link NDArray} once the model is
 * initialised.
 */
public final class ModelParameter {

    private final long[] shape;
    private final Initializer initializer;
    private final boolean buffer;
    private String addedBy;
    private String name;
    private boolean trainable;
    private NDArray array;

    ModelParameter(long[] shape, Initializer initializer, boolean buffer) {
        this.shape = shape.clone();
        this.initializer = Objects.requireNonNull(initializer);
        this.buffer = buffer;
        this.trainable = !buffer;
    }

    /** The full dotted name, e.g. {@code image_encoder.blocks.0.attn.qkv.weight}. */
    public String name() {
        return name;
    }

    void setName(String name) {
        this.name = name;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The shape as int dimensions (as {@code org.fedfms.api.Tensor} takes it). */
    public int[] intShape() {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }

    /** Number of scalar values. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Whether this is a buffer (never trained, not counted as a parameter). */
    public boolean isBuffer() {
        return buffer;
    }

    /** The adapter type that inserted this parameter, or {@code null} for the base model's own. */
    public String addedBy() {
        return addedBy;
    }

    void setAddedBy(String adapterId) {
        this.addedBy = adapterId;
    }

    public boolean isTrainable() {
        return trainable;
    }

    /** Marks this parameter trainable or frozen; buffers stay frozen. */
    public void setTrainable(boolean trainable) {
        boolean t = trainable && !buffer;
        this.trainable = t;
        if (array != null) {
            array.setRequiresGradient(t);
        }
    }

    public Initializer initializer() {
        return initializer;
    }

    /** Whether the values have been allocated. */
    public boolean isAllocated() {
        return array != null;
    }

    /**
     * The values.
     *
     * @throws IllegalStateException if the model has not been initialised
     */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter '" + name + "' has no values yet: initialise the model first");
        }
        return array;
    }

    /**
     * Replaces the values with {@code values} (same shape), taking ownership of it; the old array is
     * closed. Gradient tracking follows {@link #isTrainable()}.
     */
    public void setArray(NDArray values) {
        if (!Arrays.equals(values.getShape().getShape(), shape)) {
            throw new IllegalArgumentException("parameter '" + name + "': shape " + values.getShape()
                    + " does not match " + Arrays.toString(shape));
        }
        NDArray old = array;
        array = values;
        array.setName(name);
        array.setRequiresGradient(trainable);
        if (old != null && old != values) {
            old.close();
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (buffer ? " (buffer)" : trainable ? "" : " (frozen)");
    }
}
