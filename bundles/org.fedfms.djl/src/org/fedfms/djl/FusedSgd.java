package org.fedfms.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The engine's fused plain SGD update of one weight in place (no momentum; the kernel DJL's own {@code Sgd}
 * uses), reached through DJL's internal {@code NDArrayEx} that only this bundle sees.
 */
public final class FusedSgd {

    private FusedSgd() {
    }

    /** Updates {@code weight} in place: weight −= learningRate · (gradient + weightDecay · weight). */
    public static void update(NDArray weight, NDArray gradient, float learningRate, float weightDecay) {
        weight.getNDArrayInternal().sgdUpdate(new NDList(weight, gradient), new NDList(weight), learningRate,
                weightDecay, 1f, -1f, 0f, false);
    }
}
