package org.fedfms.adapter.lora;

import org.fedfms.model.nn.Initializer;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Ops;
import org.fedfms.model.nn.UnaryModule;

import ai.djl.ndarray.NDArray;

/**
 * LoRA's low-rank update of a linear layer, {@code (α/r)·x·Aᵀ·Bᵀ} with {@code lora_A [r, in]} (uniform
 * ±1/√in) and {@code lora_B [out, r]} (zeros, so the model is unchanged at the start).
 */
final class LowRankDelta extends UnaryModule {

    private final ModelParameter a;
    private final ModelParameter b;
    private final float scale;

    LowRankDelta(long in, long out, int rank, double alpha) {
        this.a = parameter("lora_A", Initializer.uniformFanIn(in), rank, in);
        this.b = parameter("lora_B", Initializer.zeros(), out, rank);
        this.scale = (float) (alpha / rank);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray down = ai.djl.nn.core.Linear.linear(x, a.array()).singletonOrThrow();
        return Ops.scale(ai.djl.nn.core.Linear.linear(down, b.array()).singletonOrThrow(), scale);
    }
}
