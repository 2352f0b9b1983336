package org.fedfms.train.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.djl.FusedAdam;
import org.fedfms.djl.FusedSgd;
import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Adam, AdamW or plain SGD for one round of one site, with the engine's fused updates (Adam's is the one DJL's
 * own Adam uses: bias-corrected step, L2 weight decay for Adam, decoupled for AdamW). Adam's moments live in a manager
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
    private final boolean sgd;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int step;

    /**
     * @param stateManager where the moments live; close it after the round
     * @param optimizer {@code adam}, {@code adamw} (decoupled weight decay instead of Adam's L2 term) or
     *     {@code sgd} (plain SGD, L2 weight decay, no momentum)
     */
    RoundOptimizer(NDManager stateManager, float learningRate, float weightDecay, String optimizer) {
        this.stateManager = stateManager;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.decoupled = optimizer.equals("adamw");
        this.sgd = optimizer.equals("sgd");
    }

    /** One update of {@code parameters} from their gradients; the update zeroes the gradients. */
    void step(List<ModelParameter> parameters) {
        step(parameters, Map.of());
    }

    /**
     * One update of {@code parameters} from their gradients, each first corrected by the array of its name in
     * {@code corrections} if there is one (SCAFFOLD's {@code c − c_i}, added before Adam's moments see it).
     */
    void step(List<ModelParameter> parameters, Map<String, NDArray> corrections) {
        step++;
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        float corrected = (float) (learningRate * Math.sqrt(c2) / c1);
        for (ModelParameter p : parameters) {
            NDArray weight = p.array();
            try (NDArray gradient = weight.getGradient()) {
                NDArray correction = corrections.get(p.name());
                if (correction != null) {
                    gradient.addi(correction);
                }
                if (sgd) {
                    FusedSgd.update(weight, gradient, learningRate, weightDecay);
                    continue;
                }
                NDArray[] m = moments.computeIfAbsent(p.name(), n -> new NDArray[] {
                    stateManager.zeros(weight.getShape(), weight.getDataType()),
                    stateManager.zeros(weight.getShape(), weight.getDataType())});
                FusedAdam.update(weight, gradient, m[0], m[1], learningRate, corrected, weightDecay, BETA1, BETA2, EPSILON,
                        decoupled);
            }
        }
    }

    int steps() {
        return step;
    }
}
