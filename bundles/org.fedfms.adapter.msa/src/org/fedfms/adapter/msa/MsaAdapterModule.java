package org.fedfms.adapter.msa;

import org.fedfms.model.nn.Activation;
import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.UnaryModule;

import ai.djl.ndarray.NDArray;

/**
 * The Medical SAM Adapter's bottleneck: {@code D_fc2(GELU(D_fc1(x)))} with {@code D_fc1: D → D·ratio}
 * and {@code D_fc2: D·ratio → D}, plus {@code x} itself when it has a skip connection.
 */
final class MsaAdapterModule extends UnaryModule {

    private final Linear down;
    private final Linear up;
    private final boolean skip;

    MsaAdapterModule(int dim, double ratio, boolean skip) {
        int hidden = (int) (dim * ratio);
        this.down = child("D_fc1", new Linear(dim, hidden));
        this.up = child("D_fc2", new Linear(hidden, dim));
        this.skip = skip;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = up.forward(Activation.GELU.apply(down.forward(x)));
        return skip ? x.add(y) : y;
    }
}
