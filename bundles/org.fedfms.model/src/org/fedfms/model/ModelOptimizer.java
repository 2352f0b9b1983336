package org.fedfms.model;

import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * Updates a model's trainable parameters from the gradients of the last backward pass, with a DJL
 * optimizer whose state (e.g. Adam's moments) is kept per parameter name. The engine's update also
 * zeroes each gradient. Frozen parameters are never touched.
 */
public final class ModelOptimizer {

    private final Optimizer optimizer;

    public ModelOptimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
    }

    /** Adam with the given learning rate and DJL's defaults (β1 0.9, β2 0.999, ε 1e-8). */
    public static ModelOptimizer adam(float learningRate) {
        return new ModelOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(learningRate)).build());
    }

    /** One update of every trainable parameter of {@code model}. */
    public void step(SegmentationModel model) {
        for (ModelParameter p : model.trainableParameters()) {
            NDArray weight = p.array();
            try (NDArray gradient = weight.getGradient()) {
                optimizer.update(p.name(), weight, gradient);
            }
        }
    }
}
