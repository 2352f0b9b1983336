package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code lin2(act(lin1(x)))}: the transformer MLP of SAM's {@code common.MLPBlock}. */
public final class MlpBlock extends UnaryModule {

    private final Linear lin1;
    private final Linear lin2;
    private final Activation activation;

    public MlpBlock(long dim, long hidden, Activation activation) {
        this.lin1 = child("lin1", new Linear(dim, hidden));
        this.lin2 = child("lin2", new Linear(hidden, dim));
        this.activation = activation;
    }

    @Override
    public NDArray forward(NDArray x) {
        return lin2.forward(activation.apply(lin1.forward(x)));
    }
}
