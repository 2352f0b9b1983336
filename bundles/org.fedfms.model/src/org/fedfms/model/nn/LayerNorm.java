package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis, with weight and bias. */
public final class LayerNorm extends UnaryModule {

    private final long dim;
    private final float eps;
    private final ModelParameter weight;
    private final ModelParameter bias;

    public LayerNorm(long dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        this.weight = parameter("weight", Initializer.ones(), dim);
        this.bias = parameter("bias", Initializer.zeros(), dim);
    }

    public float eps() {
        return eps;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
