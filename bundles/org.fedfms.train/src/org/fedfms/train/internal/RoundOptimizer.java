package org.fedfms.train.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.djl.FusedSgd;
import org.fedfms.djl.MultiTensorAdam;
import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Adam, AdamW or plain SGD for one round of one site, with the engine's fused updates: Adam and AdamW as
 * {@code torch.optim.Adam}/{@code AdamW} in one multi-tensor call for all parameters ({@link MultiTensorAdam};
 * L2 weight decay for Adam, decoupled for AdamW), SGD one parameter at a time. Adam's moments and step counts
 * live in a manager the caller closes after the round, so nothing is carried into the next round and nothing
 * builds up in the model's memory; DJL's {@code Adam} would allocate them next to the weights, for the model's life.
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
    /** Per parameter name: mean, variance and step count (a 0-d float array). */
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
        int n = parameters.size();
        List<NDArray> weights = new ArrayList<>(n);
        List<NDArray> gradients = new ArrayList<>(n);
        List<NDArray> means = new ArrayList<>(n);
        List<NDArray> variances = new ArrayList<>(n);
        List<NDArray> steps = new ArrayList<>(n);
        try {
            for (ModelParameter p : parameters) {
                NDArray weight = p.array();
                NDArray gradient = weight.getGradient();
                gradients.add(gradient);
                NDArray correction = corrections.get(p.name());
                if (correction != null) {
                    gradient.addi(correction);
                }
                if (sgd) {
                    FusedSgd.update(weight, gradient, learningRate, weightDecay);
                    continue;
                }
                NDArray[] m = moments.computeIfAbsent(p.name(), k -> new NDArray[] {
                    stateManager.zeros(weight.getShape(), weight.getDataType()),
                    stateManager.zeros(weight.getShape(), weight.getDataType()),
                    stateManager.zeros(new Shape(), DataType.FLOAT32)});
                weights.add(weight);
                means.add(m[0]);
                variances.add(m[1]);
                steps.add(m[2]);
            }
            if (!sgd) {
                MultiTensorAdam.update(weights, gradients, means, variances, steps, learningRate, BETA1, BETA2, EPSILON,
                        weightDecay, decoupled);
            }
        } finally {
            gradients.forEach(NDArray::close);
        }
    }

    int steps() {
        return step;
    }
}
