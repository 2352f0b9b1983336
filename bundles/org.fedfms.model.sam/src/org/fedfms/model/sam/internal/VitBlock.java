package org.fedfms.model.sam.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fedfms.model.AdaptableBlock;
import org.fedfms.model.nn.Activation;
import org.fedfms.model.nn.LayerNorm;
import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.MlpBlock;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.Ops;
import org.fedfms.model.nn.UnaryModule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A ViT block of SAM's image encoder on channels-last tokens {@code [B, H, W, C]}: pre-norm attention
 * (within zero-padded windows when the window size is positive; padding comes after the first norm and
 * is not masked out of attention) and a GELU MLP, each with a residual; plus the adapter slots of
 * {@link AdaptableBlock}.
 */
public final class VitBlock extends Module implements AdaptableBlock {

    private final String name;
    private final int dim;
    private final int windowSize;
    private final LayerNorm norm1;
    private final ImageAttention attn;
    private final LayerNorm norm2;
    private final MlpBlock mlp;
    private UnaryModule afterAttention;
    private UnaryModule parallelToMlp;
    private float parallelScale;

    VitBlock(String name, int dim, int heads, int mlpDim, int windowSize, int gridSize) {
        this.name = name;
        this.dim = dim;
        this.windowSize = windowSize;
        this.norm1 = child("norm1", new LayerNorm(dim, 1e-6f));
        this.attn = child("attn", new ImageAttention(dim, heads, windowSize > 0 ? windowSize : gridSize));
        this.norm2 = child("norm2", new LayerNorm(dim, 1e-6f));
        this.mlp = child("mlp", new MlpBlock(dim, mlpDim, Activation.GELU));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return dim;
    }

    /** Side of the attention windows, 0 for global attention. */
    public int windowSize() {
        return windowSize;
    }

    @Override
    public void insertAfterAttention(String childName, UnaryModule module) {
        if (afterAttention != null) {
            throw new IllegalStateException(name + " already has a module after its attention");
        }
        child(childName, module);
        afterAttention = module;
    }

    @Override
    public void insertParallelToMlp(String childName, UnaryModule module, float scale) {
        if (parallelToMlp != null) {
            throw new IllegalStateException(name + " already has a module next to its MLP");
        }
        child(childName, module);
        parallelToMlp = module;
        parallelScale = scale;
    }

    @Override
    public Map<String, Linear> attentionProjections() {
        Map<String, Linear> m = new LinkedHashMap<>();
        m.put("qkv", attn.qkv());
        m.put("proj", attn.proj());
        return m;
    }

    public NDArray forward(NDArray input) {
        try (Ops.Scope scope = Ops.Scope.open(input)) {
            return scope.keep(compute(input));
        }
    }

    private NDArray compute(NDArray x) {
        NDArray shortcut = x;
        x = norm1.forward(x);
        long h = x.getShape().get(1);
        long w = x.getShape().get(2);
        long paddedH = h;
        long paddedW = w;
        if (windowSize > 0) {
            paddedH = (h + windowSize - 1) / windowSize * windowSize;
            paddedW = (w + windowSize - 1) / windowSize * windowSize;
            x = partition(x, windowSize, paddedH - h, paddedW - w);
        }
        x = attn.forward(x);
        if (afterAttention != null) {
            x = afterAttention.forward(x);
        }
        if (windowSize > 0) {
            x = unpartition(x, windowSize, paddedH, paddedW, h, w);
        }
        x = shortcut.add(x);
        NDArray xn = norm2.forward(x);
        NDArray y = x.add(mlp.forward(xn));
        if (parallelToMlp != null) {
            y = y.add(Ops.scale(parallelToMlp.forward(xn), parallelScale));
        }
        return y;
    }

    /** {@code [B, H, W, C]} zero-padded at the bottom/right to windows {@code [B·nW, ws, ws, C]}. */
    static NDArray partition(NDArray x, int ws, long padH, long padW) {
        if (padH > 0 || padW > 0) {
            x = x.pad(new Shape(0, 0, 0, padW, 0, padH), 0);
        }
        long[] s = x.getShape().getShape();
        long b = s[0];
        long c = s[3];
        return x.reshape(b, s[1] / ws, ws, s[2] / ws, ws, c).transpose(0, 1, 3, 2, 4, 5).reshape(-1, ws, ws, c);
    }

    /** Windows back to {@code [B, H, W, C]}, padding removed. */
    static NDArray unpartition(NDArray windows, int ws, long paddedH, long paddedW, long h, long w) {
        long[] s = windows.getShape().getShape();
        long c = s[3];
        long b = s[0] / (paddedH * paddedW / ws / ws);
        NDArray x = windows.reshape(b, paddedH / ws, paddedW / ws, ws, ws, c).transpose(0, 1, 3, 2, 4, 5)
                .reshape(b, paddedH, paddedW, c);
        if (paddedH > h || paddedW > w) {
            x = x.get(":, 0:" + h + ", 0:" + w + ", :");
        }
        return x;
    }
}
