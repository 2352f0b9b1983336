package org.fedfms.model.sam;

import java.util.List;

/**
 * A SAM configuration: the image encoder (a ViT with windowed and global attention), the prompt
 * encoder and the mask decoder (a two-way transformer), as {@code build_sam.py} sets them up.
 *
 * @param imageSize square input size in pixels
 * @param patchSize patch size of the image encoder
 * @param encoderDim token dimension of the image encoder
 * @param encoderDepth number of ViT blocks
 * @param encoderHeads attention heads per ViT block
 * @param encoderMlpDim hidden size of the ViT blocks' MLP
 * @param windowSize side of the attention windows of non-global blocks
 * @param globalAttentionBlocks indexes of the blocks with global attention
 * @param promptDim embedding dimension of prompts, image embedding and mask decoder
 * @param maskInChannels hidden channels of the mask prompt's downscaling
 * @param decoderDepth two-way transformer blocks
 * @param decoderHeads attention heads of the two-way transformer
 * @param decoderMlpDim hidden size of the two-way transformer's MLP
 * @param iouHeadDepth layers of the IoU prediction head
 * @param iouHeadHidden hidden size of the IoU prediction head
 */
public record SamConfig(int imageSize, int patchSize, int encoderDim, int encoderDepth, int encoderHeads,
        int encoderMlpDim, int windowSize, List<Integer> globalAttentionBlocks, int promptDim, int maskInChannels,
        int decoderDepth, int decoderHeads, int decoderMlpDim, int iouHeadDepth, int iouHeadHidden) {

    /** Masks predicted besides the single-mask output (tokens 1-3). */
    public static final int MULTIMASK_OUTPUTS = 3;

    /** Official ViT-B: 93,735,472 parameters. */
    public static final SamConfig VIT_B = official(768, 12, 12, List.of(2, 5, 8, 11));
    /** Official ViT-L: 312,342,832 parameters. */
    public static final SamConfig VIT_L = official(1024, 24, 16, List.of(5, 11, 17, 23));
    /** Official ViT-H: 641,090,608 parameters. */
    public static final SamConfig VIT_H = official(1280, 32, 16, List.of(7, 15, 23, 31));
    /**
     * The same architecture, small enough to train on a CPU in tests: 128 px input, 8×8 tokens of
     * dimension 64, 4 blocks (1 and 3 global, windows of 3 so that padding is exercised), prompt
     * dimension 32.
     */
    public static final SamConfig TINY = new SamConfig(128, 16, 64, 4, 2, 256, 3, List.of(1, 3), 32, 16, 2, 2, 64,
            3, 32);

    public SamConfig {
        globalAttentionBlocks = List.copyOf(globalAttentionBlocks);
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch size "
                    + patchSize);
        }
        if (encoderDim % encoderHeads != 0 || promptDim % decoderHeads != 0 || promptDim % 8 != 0) {
            throw new IllegalArgumentException("dimensions must divide by the heads (and the prompt dimension by 8)");
        }
    }

    private static SamConfig official(int dim, int depth, int heads, List<Integer> global) {
        return new SamConfig(1024, 16, dim, depth, heads, dim * 4, 14, global, 256, 16, 2, 8, 2048, 3, 256);
    }

    /** Side of the image embedding grid (input size / patch size). */
    public int embeddingSize() {
        return imageSize / patchSize;
    }

    /** Side of the low-resolution masks (4 × the embedding grid). */
    public int lowResSize() {
        return 4 * embeddingSize();
    }

    /** This configuration for another input size (position embeddings and global blocks follow). */
    public SamConfig withImageSize(int size) {
        return new SamConfig(size, patchSize, encoderDim, encoderDepth, encoderHeads, encoderMlpDim, windowSize,
                globalAttentionBlocks, promptDim, maskInChannels, decoderDepth, decoderHeads, decoderMlpDim,
                iouHeadDepth, iouHeadHidden);
    }
}
