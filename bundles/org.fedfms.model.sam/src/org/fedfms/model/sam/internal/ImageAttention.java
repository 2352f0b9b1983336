package org.fedfms.model.sam.internal;

import org.fedfms.model.nn.Initializer;
import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.Ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head self-attention of SAM's image encoder with decomposed relative position embeddings
 * ({@code rel_pos_h}, {@code rel_pos_w}, one row per relative offset) added to the attention logits
 * before the softmax; the relative term uses the unscaled queries.
 */
public final class ImageAttention extends Module {

    private final int heads;
    private final int headDim;
    private final int size;
    private final Linear qkv;
    private final Linear proj;
    private final ModelParameter relPosH;
    private final ModelParameter relPosW;

    /**
     * @param size the side of the token grid this attention sees (window or whole grid), which sizes
     *     the relative position tables
     */
    ImageAttention(int dim, int heads, int size) {
        this.heads = heads;
        this.headDim = dim / heads;
        this.size = size;
        this.qkv = child("qkv", new Linear(dim, dim * 3L));
        this.proj = child("proj", new Linear(dim, dim));
        this.relPosH = parameter("rel_pos_h", Initializer.zeros(), 2L * size - 1, headDim);
        this.relPosW = parameter("rel_pos_w", Initializer.zeros(), 2L * size - 1, headDim);
    }

    Linear qkv() {
        return qkv;
    }

    Linear proj() {
        return proj;
    }

    /** {@code [B, H, W, C]} to {@code [B, H, W, C]}. */
    NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        long b = s[0];
        long h = s[1];
        long w = s[2];
        if (h != size || w != size) {
            throw new IllegalArgumentException("attention built for a " + size + "x" + size + " token grid got "
                    + h + "x" + w);
        }
        NDArray packed = qkv.forward(x).reshape(b, h * w, 3, heads, headDim).transpose(2, 0, 3, 1, 4)
                .reshape(3, b * heads, h * w, headDim);
        NDArray q = packed.get(0);
        NDArray k = packed.get(1);
        NDArray v = packed.get(2);
        NDArray out;
        try (Ops.Scope scope = Ops.Scope.open(q, k, v)) {
            NDArray attn = Ops.scale(q, Math.pow(headDim, -0.5)).matMul(k.transpose(0, 2, 1));
            attn = addRelativePositions(attn, q, h, w);
            out = scope.keep(attn.softmax(-1).matMul(v));
        }
        out = out.reshape(b, heads, h, w, headDim).transpose(0, 2, 3, 1, 4).reshape(b, h, w,
                heads * (long) headDim);
        return proj.forward(out);
    }

    private NDArray addRelativePositions(NDArray attn, NDArray q, long h, long w) {
        NDManager m = q.getManager();
        long bn = q.getShape().get(0);
        NDArray rh = relativeTable(m, relPosH.array(), h);
        NDArray rw = relativeTable(m, relPosW.array(), w);
        NDArray rq = q.reshape(bn, h, w, headDim);
        NDArray relH = rq.transpose(1, 0, 2, 3).reshape(h, bn * w, headDim).matMul(rh.transpose(0, 2, 1))
                .reshape(h, bn, w, h).transpose(1, 0, 2, 3);
        NDArray relW = rq.transpose(2, 0, 1, 3).reshape(w, bn * h, headDim).matMul(rw.transpose(0, 2, 1))
                .reshape(w, bn, h, w).transpose(1, 2, 0, 3);
        return attn.reshape(bn, h, w, h, w).add(relH.reshape(bn, h, w, h, 1)).add(relW.reshape(bn, h, w, 1, w))
                .reshape(bn, h * w, h * w);
    }

    /**
     * {@code R[i, j] = table[i - j + n - 1]} as {@code [n, n, headDim]}: a one-hot selection matrix
     * times the table, which picks the rows exactly and passes gradients to them.
     */
    private static NDArray relativeTable(NDManager m, NDArray table, long n) {
        int rows = (int) (2 * n - 1);
        float[] oneHot = new float[(int) (n * n * rows)];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                oneHot[(int) ((i * n + j) * rows + (i - j + n - 1))] = 1f;
            }
        }
        return Ops.constant(m, oneHot, new Shape(n, n, rows)).matMul(table);
    }
}
