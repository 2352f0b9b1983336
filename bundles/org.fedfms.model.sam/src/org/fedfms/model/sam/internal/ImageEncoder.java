package org.fedfms.model.sam.internal;

import org.fedfms.model.nn.Conv2d;
import org.fedfms.model.nn.Initializer;
import org.fedfms.model.nn.LayerNorm2d;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.ModuleList;
import org.fedfms.model.sam.SamConfig;

import ai.djl.ndarray.NDArray;

/**
 * SAM's {@code ImageEncoderViT}: 16×16 patch embedding, absolute position embedding, ViT blocks with
 * windowed or global attention and decomposed relative positions, and a neck of two convolutions with
 * 2-D LayerNorms down to the prompt dimension.
 */
public final class ImageEncoder extends Module {

    private final Conv2d patchProjection;
    private final ModelParameter posEmbed;
    private final ModuleList<VitBlock> blocks;
    private final Conv2d neck0;
    private final LayerNorm2d neck1;
    private final Conv2d neck2;
    private final LayerNorm2d neck3;

    public ImageEncoder(SamConfig c, String name) {
        int e = c.embeddingSize();
        Module patchEmbed = child("patch_embed", new Container());
        this.patchProjection = ((Container) patchEmbed).add("proj",
                new Conv2d(3, c.encoderDim(), c.patchSize(), c.patchSize(), 0, true));
        this.posEmbed = parameter("pos_embed", Initializer.zeros(), 1, e, e, c.encoderDim());
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < c.encoderDepth(); i++) {
            int window = c.globalAttentionBlocks().contains(i) ? 0 : c.windowSize();
            blocks.add(new VitBlock(name + ".blocks." + i, c.encoderDim(), c.encoderHeads(), c.encoderMlpDim(), window,
                    e));
        }
        ModuleList<Module> neck = child("neck", new ModuleList<>());
        this.neck0 = (Conv2d) neck.add(new Conv2d(c.encoderDim(), c.promptDim(), 1, 1, 0, false));
        this.neck1 = (LayerNorm2d) neck.add(new LayerNorm2d(c.promptDim(), 1e-6f));
        this.neck2 = (Conv2d) neck.add(new Conv2d(c.promptDim(), c.promptDim(), 3, 1, 1, false));
        this.neck3 = (LayerNorm2d) neck.add(new LayerNorm2d(c.promptDim(), 1e-6f));
    }

    public ModuleList<VitBlock> blocks() {
        return blocks;
    }

    /** {@code [B, 3, S, S]} (normalised, padded) to the image embedding {@code [B, P, E, E]}. */
    public NDArray forward(NDArray images) {
        NDArray x = patchProjection.forward(images).transpose(0, 2, 3, 1);
        x = x.add(posEmbed.array());
        for (VitBlock b : blocks.members()) {
            x = b.forward(x);
        }
        x = x.transpose(0, 3, 1, 2);
        return neck3.forward(neck2.forward(neck1.forward(neck0.forward(x))));
    }

    /** A module that only names its children (PyTorch modules without parameters of their own). */
    static final class Container extends Module {
        <M extends Module> M add(String name, M module) {
            return child(name, module);
        }
    }
}
