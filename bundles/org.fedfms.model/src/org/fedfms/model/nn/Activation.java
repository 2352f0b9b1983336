package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;

/** Element-wise activations, computed by PyTorch's own kernels. */
public enum Activation {
    /** GELU in its exact form x·Φ(x) (erf), as {@code torch.nn.GELU()} computes it by default. */
    GELU,
    /** max(x, 0). */
    RELU;

    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case RELU -> ai.djl.nn.Activation.relu(x);
        };
    }
}
