package org.fedfms.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The engine's fused Adam/AdamW update of one weight in place (the kernel DJL's own {@code Adam} uses). It is
 * reached through DJL's internal {@code NDArrayEx}, which only this bundle sees, so optimizers elsewhere need
 * no internal DJL package.
 */
public final class FusedAdam {

    private FusedAdam() {
    }

    /**
     * Updates {@code weight} and its moments in place from {@code gradient}.
     *
     * @param learningRate the step size (the L2 or decoupled weight decay is scaled by it)
     * @param correctedRate the step size with Adam's bias correction of this step
     * @param decoupled AdamW's decoupled weight decay instead of Adam's L2 term
     */
    public static void update(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, float learningRate,
            float correctedRate, float weightDecay, float beta1, float beta2, float epsilon, boolean decoupled) {
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, gradient, mean, variance), new NDList(weight),
                learningRate, correctedRate, weightDecay, 1f, -1f, beta1, beta2, epsilon, true, decoupled);
    }
}
