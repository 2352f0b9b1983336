package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Embedding}: a table of learned vectors, {@code weight [count, dim]}, N(0, 1) at init. */
public final class Embedding extends Module {

    private final ModelParameter weight;

    public Embedding(long count, long dim) {
        this.weight = parameter("weight", Initializer.normal(1.0), count, dim);
    }

    public ModelParameter weight() {
        return weight;
    }

    /** The table, {@code [count, dim]}. */
    public NDArray table() {
        return weight.array();
    }
}
