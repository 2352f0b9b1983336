package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.ConvTranspose2d(in, out, kernel_size=2, stride=2)} on channels-last input, with the
 * weight in PyTorch's layout {@code [in, out, 2, 2]} (see {@link Ops#convTranspose2x2}).
 */
public final class ConvTranspose2x2 extends UnaryModule {

    private final ModelParameter weight;
    private final ModelParameter bias;

    public ConvTranspose2x2(long in, long out) {
        long fanIn = out * 4;
        this.weight = parameter("weight", Initializer.uniformFanIn(fanIn), in, out, 2, 2);
        this.bias = parameter("bias", Initializer.uniformFanIn(fanIn), out);
    }

    /** {@code [B, H, W, in]} to {@code [B, 2H, 2W, out]}. */
    @Override
    public NDArray forward(NDArray x) {
        return Ops.convTranspose2x2(x, weight.array(), bias.array());
    }
}
