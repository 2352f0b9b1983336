package org.fedfms.model;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * Updates a model's trainable parameters from the gradients of the last backward pass with a DJL
 * optimizer (its state, e.g. Adam's moments, kept per parameter name; the engine's fused update also
 * zeroes each gradient). As in PyTorch, a parameter that no backward pass reached is skipped. Frozen
 * parameters are never touched.
 */
public final class ModelOptimizer {

    private final TorchRuntime runtime;
    private final Optimizer optimizer;
    private int steps;

    public ModelOptimizer(TorchRuntime runtime, Optimizer optimizer) {
        this.runtime = runtime;
        this.optimizer = optimizer;
    }

    /**
     * Adam with the given learning rate, β1 0.9, β2 0.999, ε 1e-8 (DJL's fused update: as
     * {@code torch.optim.Adam} except that ε is added before the bias correction of the second moment).
     */
    public static ModelOptimizer adam(TorchRuntime runtime, float learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("the learning rate must be positive, got " + learningRate);
        }
        return new ModelOptimizer(runtime, Adam.builder().optLearningRateTracker(Tracker.fixed(learningRate)).build());
    }

    /** Steps done. */
    public int steps() {
        return steps;
    }

    /** One update of every trainable parameter of {@code model} that has a gradient. */
    public void step(SegmentationModel model) {
        for (ModelParameter p : model.trainableParameters()) {
            NDArray weight = p.array();
            NDArray gradient = runtime.gradientOrNull(weight);
            if (gradient != null) {
                try (gradient) {
                    optimizer.update(p.name(), weight, gradient);
                }
            }
        }
        steps++;
    }
}
