package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis, with weight and bias. */
public final class LayerNorm extends AffineNorm {

    public LayerNorm(long dim, float eps) {
        super(dim, eps);
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(size), weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
