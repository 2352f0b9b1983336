package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} on {@code [B, C, H, W]} (weight {@code [out, in, kh, kw]}). */
public final class Conv2d extends UnaryModule {

    private final int kernel;
    private final int stride;
    private final int padding;
    private final ModelParameter weight;
    private final ModelParameter bias;

    public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long fanIn = in * kernel * kernel;
        this.weight = parameter("weight", Initializer.uniformFanIn(fanIn), out, in, kernel, kernel);
        this.bias = bias ? parameter("bias", Initializer.uniformFanIn(fanIn), out) : null;
    }

    public int kernel() {
        return kernel;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias == null ? null : bias.array(),
                new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1)).singletonOrThrow();
    }
}
