package org.fedfms.model.sam.internal;

import org.fedfms.model.MaskPrediction;
import org.fedfms.model.nn.Activation;
import org.fedfms.model.nn.ConvTranspose2x2;
import org.fedfms.model.nn.Embedding;
import org.fedfms.model.nn.LayerNorm2d;
import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.ModuleList;
import org.fedfms.model.nn.Ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * SAM's mask decoder: an IoU token and four mask tokens join the sparse prompt embeddings; the two-way
 * transformer mixes them with the image embedding (plus dense prompt embedding); the image is upscaled
 * 4× by two transposed convolutions (LayerNorm2d and GELU between, GELU after); each mask token's
 * hypernetwork MLP gives the weights of a per-pixel dot product; an MLP on the IoU token predicts each
 * mask's IoU. Single-mask output is token 0, multimask output tokens 1-3.
 */
public final class MaskDecoder extends Module {

    private static final int MASK_TOKENS = 4;

    private final int dim;
    private final TwoWayTransformer transformer;
    private final Embedding iouToken;
    private final Embedding maskTokens;
    private final ConvTranspose2x2 up0;
    private final LayerNorm2d up1;
    private final ConvTranspose2x2 up3;
    private final ModuleList<HeadMlp> hypernetworks;
    private final HeadMlp iouHead;

    MaskDecoder(int dim, int depth, int heads, int mlpDim, int iouHeadDepth, int iouHeadHidden) {
        this.dim = dim;
        this.transformer = child("transformer", new TwoWayTransformer(depth, dim, heads, mlpDim));
        this.iouToken = child("iou_token", new Embedding(1, dim));
        this.maskTokens = child("mask_tokens", new Embedding(MASK_TOKENS, dim));
        ModuleList<Module> up = child("output_upscaling", new ModuleList<>());
        this.up0 = (ConvTranspose2x2) up.add(0, new ConvTranspose2x2(dim, dim / 4));
        this.up1 = (LayerNorm2d) up.add(1, new LayerNorm2d(dim / 4, 1e-6f));
        this.up3 = (ConvTranspose2x2) up.add(3, new ConvTranspose2x2(dim / 4, dim / 8));
        this.hypernetworks = child("output_hypernetworks_mlps", new ModuleList<>());
        for (int i = 0; i < MASK_TOKENS; i++) {
            hypernetworks.add(new HeadMlp(dim, dim, dim / 8, 3));
        }
        this.iouHead = child("iou_prediction_head", new HeadMlp(dim, iouHeadHidden, MASK_TOKENS, iouHeadDepth));
    }

    /**
     * @param image image embedding {@code [B, C, e, e]}
     * @param imagePe dense positional encoding {@code [1, C, e, e]}
     * @param sparse sparse prompt embeddings {@code [B, N, C]}, or {@code null}
     * @param dense dense prompt embeddings {@code [B, C, e, e]}
     */
    MaskPrediction forward(NDArray image, NDArray imagePe, NDArray sparse, NDArray dense, boolean multimask) {
        NDManager m = image.getManager();
        long b = image.getShape().get(0);
        long e = image.getShape().get(2);
        NDArray outputTokens = Ops.own(NDArrays.concat(new NDList(iouToken.table(), maskTokens.table()), 0), m)
                .expandDims(0).broadcast(new Shape(b, 1 + MASK_TOKENS, dim));
        NDArray tokens = sparse == null ? outputTokens : NDArrays.concat(new NDList(outputTokens, sparse), 1);
        NDArray src = image.add(dense);
        TwoWayTransformer.Output t = transformer.forward(src, imagePe, tokens);
        NDArray iouTokenOut = t.tokens().get(":, 0, :");
        NDArray upscaled = t.image().reshape(b, e, e, dim);
        upscaled = Activation.GELU.apply(up1.forwardChannelsLast(up0.forward(upscaled)));
        upscaled = Activation.GELU.apply(up3.forward(upscaled));
        NDList hyper = new NDList(MASK_TOKENS);
        for (int i = 0; i < MASK_TOKENS; i++) {
            hyper.add(hypernetworks.get(i).forward(t.tokens().get(":, " + (i + 1) + ", :")));
        }
        NDArray hyperIn = NDArrays.stack(hyper, 1);
        long side = upscaled.getShape().get(1);
        long channels = upscaled.getShape().get(3);
        NDArray masks = hyperIn.matMul(upscaled.reshape(b, side * side, channels).transpose(0, 2, 1))
                .reshape(b, MASK_TOKENS, side, side);
        NDArray iou = iouHead.forward(iouTokenOut);
        if (multimask) {
            return new MaskPrediction(masks.get(":, 1:, :, :"), iou.get(":, 1:"));
        }
        return new MaskPrediction(masks.get(":, 0:1, :, :"), iou.get(":, 0:1"));
    }

    /** SAM's prediction-head MLP: Linear layers ({@code layers.i}) with ReLU between. */
    static final class HeadMlp extends Module {
        private final ModuleList<Linear> layers;

        HeadMlp(int in, int hidden, int out, int depth) {
            this.layers = child("layers", new ModuleList<>());
            for (int i = 0; i < depth; i++) {
                layers.add(new Linear(i == 0 ? in : hidden, i == depth - 1 ? out : hidden));
            }
        }

        NDArray forward(NDArray x) {
            for (int i = 0; i < layers.size(); i++) {
                x = layers.get(i).forward(x);
                if (i < layers.size() - 1) {
                    x = Activation.RELU.apply(x);
                }
            }
            return x;
        }
    }
}
