package org.fedfms.model.sam.internal;

import org.fedfms.model.Prompts;
import org.fedfms.model.nn.Activation;
import org.fedfms.model.nn.Conv2d;
import org.fedfms.model.nn.Embedding;
import org.fedfms.model.nn.Initializer;
import org.fedfms.model.nn.LayerNorm2d;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.ModuleList;
import org.fedfms.model.nn.Ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * SAM's prompt encoder: points and box corners become random Fourier features of their coordinates
 * (shifted +0.5 to pixel centres, scaled to [0, 1]) plus a learned embedding per kind (negative point,
 * positive point, top-left, bottom-right, not-a-point); a mask prompt is downscaled by convolutions;
 * without a mask, every position gets the learned {@code no_mask_embed}.
 */
public final class PromptEncoder extends Module {

    private final int dim;
    private final int gridSize;
    private final int inputSize;
    private final ModelParameter gaussian;
    private final ModuleList<Embedding> pointEmbeddings;
    private final Embedding notAPoint;
    private final Conv2d down0;
    private final LayerNorm2d down1;
    private final Conv2d down3;
    private final LayerNorm2d down4;
    private final Conv2d down6;
    private final Embedding noMask;

    PromptEncoder(int dim, int gridSize, int inputSize, int maskInChannels) {
        this.dim = dim;
        this.gridSize = gridSize;
        this.inputSize = inputSize;
        ImageEncoder.Container pe = child("pe_layer", new ImageEncoder.Container());
        this.gaussian = pe.add("", new GaussianMatrix(dim / 2)).matrix;
        this.pointEmbeddings = child("point_embeddings", new ModuleList<>());
        for (int i = 0; i < 4; i++) {
            pointEmbeddings.add(new Embedding(1, dim));
        }
        this.notAPoint = child("not_a_point_embed", new Embedding(1, dim));
        ModuleList<Module> down = child("mask_downscaling", new ModuleList<>());
        this.down0 = (Conv2d) down.add(0, new Conv2d(1, maskInChannels / 4, 2, 2, 0, true));
        this.down1 = (LayerNorm2d) down.add(1, new LayerNorm2d(maskInChannels / 4, 1e-6f));
        this.down3 = (Conv2d) down.add(3, new Conv2d(maskInChannels / 4, maskInChannels, 2, 2, 0, true));
        this.down4 = (LayerNorm2d) down.add(4, new LayerNorm2d(maskInChannels, 1e-6f));
        this.down6 = (Conv2d) down.add(6, new Conv2d(maskInChannels, dim, 1, 1, 0, true));
        this.noMask = child("no_mask_embed", new Embedding(1, dim));
    }

    /** The buffer {@code positional_encoding_gaussian_matrix} [2, dim/2], N(0, 1) at init. */
    static final class GaussianMatrix extends Module {
        final ModelParameter matrix;

        GaussianMatrix(int features) {
            this.matrix = buffer("positional_encoding_gaussian_matrix", Initializer.normal(1.0), 2, features);
        }
    }

    /** Sparse and dense prompt embeddings of a batch; {@code sparse} is {@code null} without points and boxes. */
    record Embeddings(NDArray sparse, NDArray dense) {
    }

    /** Random Fourier features of coordinates in [0, 1]: {@code [..., 2]} to {@code [..., dim]}. */
    private NDArray encode(NDArray unitCoords) {
        NDArray c = unitCoords.mul(2).sub(1).matMul(gaussian.array()).mul(2 * Math.PI);
        int last = c.getShape().dimension() - 1;
        return NDArrays.concat(new NDList(c.sin(), c.cos()), last);
    }

    /** The positional encoding of the embedding grid's pixel centres, {@code [1, dim, e, e]}. */
    NDArray densePositionalEncoding(NDManager m) {
        float[] grid = new float[gridSize * gridSize * 2];
        for (int y = 0; y < gridSize; y++) {
            for (int x = 0; x < gridSize; x++) {
                grid[(y * gridSize + x) * 2] = (x + 0.5f) / gridSize;
                grid[(y * gridSize + x) * 2 + 1] = (y + 0.5f) / gridSize;
            }
        }
        return encode(m.create(grid, new Shape(gridSize, gridSize, 2))).transpose(2, 0, 1).expandDims(0);
    }

    Embeddings embed(NDManager m, Prompts prompts, long batch) {
        NDArray sparse = null;
        if (prompts.points() != null) {
            sparse = embedPoints(m, prompts.points(), prompts.labels(), prompts.boxes() == null);
        }
        if (prompts.boxes() != null) {
            NDArray boxes = embedBoxes(m, prompts.boxes());
            sparse = sparse == null ? boxes : NDArrays.concat(new NDList(sparse, boxes), 1);
        }
        NDArray dense;
        if (prompts.masks() != null) {
            NDArray x = Activation.GELU.apply(down1.forward(down0.forward(prompts.masks())));
            x = Activation.GELU.apply(down4.forward(down3.forward(x)));
            dense = down6.forward(x);
        } else {
            dense = Ops.own(noMask.table().reshape(1, dim, 1, 1), m).broadcast(new Shape(batch, dim, gridSize, gridSize));
        }
        return new Embeddings(sparse, dense);
    }

    private NDArray embedPoints(NDManager m, NDArray points, NDArray labels, boolean pad) {
        NDArray p = points.toType(DataType.FLOAT32, false).add(0.5);
        NDArray l = labels.toType(DataType.FLOAT32, false);
        long b = p.getShape().get(0);
        if (pad) {
            p = NDArrays.concat(new NDList(p, m.zeros(new Shape(b, 1, 2))), 1);
            l = NDArrays.concat(new NDList(l, m.full(new Shape(b, 1), -1f)), 1);
        }
        NDArray pe = encode(p.div(inputSize));
        NDArray isPadding = l.eq(-1).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray isNegative = l.eq(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray isPositive = l.eq(1).toType(DataType.FLOAT32, false).expandDims(2);
        return pe.mul(isPadding.neg().add(1))
                .add(isPadding.mul(notAPoint.table()))
                .add(isNegative.mul(pointEmbeddings.get(0).table()))
                .add(isPositive.mul(pointEmbeddings.get(1).table()));
    }

    private NDArray embedBoxes(NDManager m, NDArray boxes) {
        NDArray corners = boxes.toType(DataType.FLOAT32, false).add(0.5).reshape(-1, 2, 2);
        NDArray pe = encode(corners.div(inputSize));
        NDArray cornerEmbeddings = Ops.own(NDArrays.concat(
                new NDList(pointEmbeddings.get(2).table(), pointEmbeddings.get(3).table()), 0), m);
        return pe.add(cornerEmbeddings);
    }
}
