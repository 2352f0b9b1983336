package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * SAM's LayerNorm2d: normalises each pixel over the channels, computed with the same elementary
 * operations as the official module ({@code (x-u)/sqrt(var+eps)*w + b}, biased variance).
 */
public final class LayerNorm2d extends AffineNorm {

    public LayerNorm2d(long channels, float eps) {
        super(channels, eps);
    }

    /** Normalises {@code [B, C, H, W]} over axis 1. */
    @Override
    public NDArray forward(NDArray x) {
        NDManager m = x.getManager();
        NDArray w = Ops.own(weight.array().reshape(size, 1, 1), m);
        NDArray b = Ops.own(bias.array().reshape(size, 1, 1), m);
        return normalize(x, 1).mul(w).add(b);
    }

    /** Normalises channels-last {@code [..., C]} over the last axis. */
    public NDArray forwardChannelsLast(NDArray x) {
        return normalize(x, -1).mul(weight.array()).add(bias.array());
    }

    private NDArray normalize(NDArray x, int axis) {
        NDArray u = x.mean(new int[] {axis}, true);
        NDArray d = x.sub(u);
        NDArray s = d.square().mean(new int[] {axis}, true);
        return d.div(s.add(eps).sqrt());
    }
}
