package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code y = x·Wᵀ + b} on the last axis ({@code torch.nn.Linear}: weight {@code [out, in]}), with an
 * optional delta module added to the output ({@code y + delta(x)}), the hook low-rank adapters use.
 */
public final class Linear extends UnaryModule {

    private final long inFeatures;
    private final long outFeatures;
    private final ModelParameter weight;
    private final ModelParameter bias;
    private UnaryModule delta;
    private String deltaName;

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", Initializer.uniformFanIn(inFeatures), outFeatures, inFeatures);
        this.bias = bias ? parameter("bias", Initializer.uniformFanIn(inFeatures), outFeatures) : null;
    }

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    public ModelParameter weight() {
        return weight;
    }

    /** The bias, or {@code null} if this layer has none. */
    public ModelParameter bias() {
        return bias;
    }

    /**
     * Adds {@code module(x)} to this layer's output; its tensors are named under {@code name} (the
     * empty name puts them next to {@code weight}). One delta per layer.
     */
    public void setDelta(String name, UnaryModule module) {
        if (delta != null) {
            throw new IllegalStateException("this layer already has a delta '" + deltaName + "'");
        }
        child(name, module);
        this.delta = module;
        this.deltaName = name;
    }

    /** Whether a delta module is attached. */
    public boolean hasDelta() {
        return delta != null;
    }

    /**
     * {@inheritDoc} An input of more than two axes is folded to rows first, as {@code at::linear} does: DJL's linear
     * adds the bias to an N-d product in a pass and an autograd node of its own, and to rows inside the matrix product
     * ({@code addmm}).
     */
    @Override
    public NDArray forward(NDArray x) {
        NDArray b = bias == null ? null : bias.array();
        Shape shape = x.getShape();
        NDArray y;
        if (b != null && shape.dimension() > 2) {
            long[] out = shape.getShape().clone();
            out[out.length - 1] = outFeatures;
            y = ai.djl.nn.core.Linear.linear(x.reshape(-1, shape.tail()), weight.array(), b).singletonOrThrow()
                    .reshape(out);
        } else {
            y = ai.djl.nn.core.Linear.linear(x, weight.array(), b).singletonOrThrow();
        }
        return delta == null ? y : y.add(delta.forward(x));
    }
}
