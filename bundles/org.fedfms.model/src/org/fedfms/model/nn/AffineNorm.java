package org.fedfms.model.nn;

/**
 * The common part of the layer norms: the normalised size, epsilon, and the per-feature {@code weight}
 * (ones) and {@code bias} (zeros) that scale and shift the normalised values.
 */
public abstract sealed class AffineNorm extends UnaryModule permits LayerNorm, LayerNorm2d {

    protected final long size;
    protected final float eps;
    protected final ModelParameter weight;
    protected final ModelParameter bias;

    AffineNorm(long size, float eps) {
        this.size = size;
        this.eps = eps;
        this.weight = parameter("weight", Initializer.ones(), size);
        this.bias = parameter("bias", Initializer.zeros(), size);
    }

    /** The epsilon added to the variance. */
    public final float eps() {
        return eps;
    }
}
