package org.fedfms.train.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.djl.FusedAdam;
import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Adam or AdamW for one round of one site, with the engine's fused update (the one DJL's own Adam uses:
 * bias-corrected step, L2 weight decay for Adam, decoupled for AdamW). Its moments live in a manager
 * the caller closes after the round, so nothing is carried into the next round and nothing builds up in
 * the model's memory; DJL's {@code Adam} would allocate them next to the weights, for the model's life.
 */
final class RoundOptimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final NDManager stateManager;
    private final float learningRate;
    private final float weightDecay;
    private final boolean decoupled;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int step;

    /**
     * @param stateManager where the moments live; close it after the round
     * @param decoupled AdamW's decoupled weight decay instead of Adam's L2 term
     */
    RoundOptimizer(NDManager stateManager, float learningRate, float weightDecay, boolean decoupled) {
        this.stateManager = stateManager;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** One update of {@code parameters} from their gradients; the update zeroes the gradients. */
    void step(List<ModelParameter> parameters) {
        step++;
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        float corrected = (float) (learningRate * Math.sqrt(c2) / c1);
        for (ModelParameter p : parameters) {
            NDArray weight = p.array();
            NDArray[] m = moments.computeIfAbsent(p.name(), n -> new NDArray[] {
                stateManager.zeros(weight.getShape(), weight.getDataType()),
                stateManager.zeros(weight.getShape(), weight.getDataType())});
            try (NDArray gradient = weight.getGradient()) {
                FusedAdam.update(weight, gradient, m[0], m[1], learningRate, corrected, weightDecay, BETA1, BETA2, EPSILON,
                        decoupled);
            }
        }
    }

    int steps() {
        return step;
    }
}
