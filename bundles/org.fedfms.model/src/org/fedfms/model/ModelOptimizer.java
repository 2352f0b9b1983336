package org.fedfms.model;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Adam (as {@code torch.optim.Adam}: bias-corrected moments, ε added to the corrected root) over a
 * model's trainable parameters, from the gradients of the last backward pass, which it then zeroes.
 * The moments of all parameters live in two flat arrays and are updated with a handful of operations
 * per step instead of a dozen per parameter. Frozen parameters are never touched. The moments restart
 * when the set of trainable parameters changes.
 */
public final class ModelOptimizer {

    private final TorchRuntime runtime;
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private List<String> layout = List.of();
    private NDArray firstMoment;
    private NDArray secondMoment;
    private int steps;

    /**
     * @param runtime the engine (updates run without gradient recording)
     * @param learningRate step size
     * @param beta1 decay of the first moment
     * @param beta2 decay of the second moment
     * @param epsilon added to the root of the corrected second moment
     */
    public ModelOptimizer(TorchRuntime runtime, float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs learning rate > 0, betas in [0, 1) and epsilon > 0; got "
                    + learningRate + ", " + beta1 + ", " + beta2 + ", " + epsilon);
        }
        this.runtime = runtime;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** Adam with the given learning rate and PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8). */
    public static ModelOptimizer adam(TorchRuntime runtime, float learningRate) {
        return new ModelOptimizer(runtime, learningRate, 0.9f, 0.999f, 1e-8f);
    }

    /** Updates done since the moments (re)started. */
    public int steps() {
        return steps;
    }

    /** One update of every trainable parameter of {@code model}; a parameter without a gradient counts as zero. */
    public void step(SegmentationModel model) {
        List<ModelParameter> params = model.trainableParameters();
        if (params.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(params.size());
        long total = 0;
        for (ModelParameter p : params) {
            names.add(p.name());
            total += p.size();
        }
        if (!names.equals(layout)) {
            restart(model.manager(), names, total);
        }
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        List<NDArray> arrays = new ArrayList<>(params.size());
        try (NDManager m = model.manager().newSubManager(); TorchRuntime.GradientScope g = runtime.noGradients()) {
            NDList flat = new NDList(params.size());
            long[] offsets = new long[params.size() - 1];
            long offset = 0;
            for (int i = 0; i < params.size(); i++) {
                NDArray weight = params.get(i).array();
                arrays.add(weight);
                NDArray gradient = Ops.own(weight.getGradient(), m);
                flat.add(gradient.reshape(-1));
                offset += params.get(i).size();
                if (i < offsets.length) {
                    offsets[i] = offset;
                }
            }
            NDArray gradients = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 0);
            firstMoment.muli(beta1).addi(gradients.mul(1 - beta1));
            secondMoment.muli(beta2).addi(gradients.square().muli(1 - beta2));
            NDArray denominator = Ops.own(secondMoment.sqrt(), m).divi(Math.sqrt(correction2)).addi(epsilon);
            NDArray update = Ops.own(firstMoment.div(denominator), m).muli(learningRate / correction1);
            NDList pieces = update.split(offsets);
            for (int i = 0; i < params.size(); i++) {
                arrays.get(i).subi(pieces.get(i).reshape(params.get(i).shape()));
            }
            runtime.zeroGradients(arrays);
        }
    }

    private void restart(NDManager manager, List<String> names, long total) {
        if (firstMoment != null) {
            firstMoment.close();
            secondMoment.close();
        }
        firstMoment = manager.zeros(new ai.djl.ndarray.types.Shape(total));
        secondMoment = manager.zeros(new ai.djl.ndarray.types.Shape(total));
        layout = List.copyOf(names);
        steps = 0;
    }
}
