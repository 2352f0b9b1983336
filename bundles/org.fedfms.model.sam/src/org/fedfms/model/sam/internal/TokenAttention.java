package org.fedfms.model.sam.internal;

import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.Ops;

import ai.djl.ndarray.NDArray;

/**
 * The attention of SAM's two-way transformer: separate q/k/v projections to {@code dim / downsample}
 * channels, multi-head scaled dot product, output projection back to {@code dim}.
 */
final class TokenAttention extends Module {

    private final int heads;
    private final int internalDim;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    TokenAttention(int dim, int heads, int downsample) {
        this.heads = heads;
        this.internalDim = dim / downsample;
        if (internalDim % heads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must divide " + internalDim);
        }
        this.qProj = child("q_proj", new Linear(dim, internalDim));
        this.kProj = child("k_proj", new Linear(dim, internalDim));
        this.vProj = child("v_proj", new Linear(dim, internalDim));
        this.outProj = child("out_proj", new Linear(internalDim, dim));
    }

    NDArray forward(NDArray q, NDArray k, NDArray v) {
        NDArray qh = separate(qProj.forward(q));
        NDArray kh = separate(kProj.forward(k));
        NDArray vh = separate(vProj.forward(v));
        int perHead = internalDim / heads;
        NDArray attn = Ops.divide(qh.matMul(kh.transpose(0, 1, 3, 2)), Math.sqrt(perHead)).softmax(-1);
        NDArray out = attn.matMul(vh);
        long[] s = out.getShape().getShape();
        return outProj.forward(out.transpose(0, 2, 1, 3).reshape(s[0], s[2], internalDim));
    }

    /** {@code [B, N, C]} to {@code [B, heads, N, C / heads]}. */
    private NDArray separate(NDArray x) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], heads, s[2] / heads).transpose(0, 2, 1, 3);
    }
}
