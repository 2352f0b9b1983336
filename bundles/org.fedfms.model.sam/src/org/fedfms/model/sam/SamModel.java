package org.fedfms.model.sam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedfms.model.AdaptableBlock;
import org.fedfms.model.ImageEmbeddingModel;
import org.fedfms.model.MaskPrediction;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.sam.internal.ImageEncoder;
import org.fedfms.model.sam.internal.SamParts;
import org.fedfms.model.sam.internal.VitBlock;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The Segment Anything Model with the official parameter names ({@code image_encoder.*},
 * {@code prompt_encoder.*}, {@code mask_decoder.*}). Inputs are preprocessed as the official
 * {@code Sam.preprocess} does: pixels normalised per channel, then zero-padded at the bottom and right.
 */
public final class SamModel extends SegmentationModel implements ImageEmbeddingModel {

    /** Per-channel pixel mean (R, G, B) on 0..255 values. */
    public static final float[] PIXEL_MEAN = {123.675f, 116.28f, 103.53f};
    /** Per-channel pixel standard deviation (R, G, B) on 0..255 values. */
    public static final float[] PIXEL_STD = {58.395f, 57.12f, 57.375f};

    private final SamConfig config;
    private final SamParts parts;

    public SamModel(String variantId, SamConfig config) {
        super(variantId);
        this.config = config;
        this.parts = new SamParts(config);
        child("image_encoder", parts.imageEncoder());
        child("prompt_encoder", parts.promptEncoder());
        child("mask_decoder", parts.maskDecoder());
    }

    public SamConfig config() {
        return config;
    }

    @Override
    public int inputSize() {
        return config.imageSize();
    }

    @Override
    public int lowResSize() {
        return config.lowResSize();
    }

    @Override
    public List<AdaptableBlock> adaptableBlocks() {
        ImageEncoder encoder = parts.imageEncoder();
        return new ArrayList<>(encoder.blocks().members());
    }

    /** The ViT blocks of the image encoder. */
    public List<VitBlock> encoderBlocks() {
        return parts.imageEncoder().blocks().members();
    }

    @Override
    public String encoderPart() {
        return "image_encoder";
    }

    /** The image embedding {@code [B, promptDim, e, e]} of preprocessed images {@code [B, 3, S, S]}. */
    @Override
    public NDArray encodeImages(NDArray images) {
        long[] s = images.getShape().getShape();
        if (s.length != 4 || s[1] != 3 || s[2] != config.imageSize() || s[3] != config.imageSize()) {
            throw new IllegalArgumentException(variantId() + " takes images [B, 3, " + config.imageSize() + ", "
                    + config.imageSize() + "], got " + images.getShape());
        }
        return parts.imageEncoder().forward(images);
    }

    /** Masks and IoU predictions from image embeddings (e.g. computed once by {@link #encodeImages}). */
    @Override
    public MaskPrediction decode(NDArray imageEmbeddings, Prompts prompts, boolean multimask) {
        return parts.decode(imageEmbeddings, prompts, multimask);
    }

    @Override
    public MaskPrediction predict(NDArray images, Prompts prompts, boolean multimask) {
        return decode(encodeImages(images), prompts, multimask);
    }

    /**
     * The prompt encoder's output for a batch of {@code batch} images: sparse embeddings
     * {@code [B, N, promptDim]} ({@code null} without points and boxes) and dense embeddings
     * {@code [B, promptDim, e, e]}.
     */
    public PromptEmbeddings embedPrompts(NDManager manager, Prompts prompts, long batch) {
        return parts.embedPrompts(manager, prompts, batch);
    }

    /**
     * Prompt embeddings.
     *
     * @param sparse {@code [B, N, promptDim]}, or {@code null}
     * @param dense {@code [B, promptDim, e, e]}
     */
    public record PromptEmbeddings(NDArray sparse, NDArray dense) {
    }

    /** The dense positional encoding of the image embedding grid, {@code [1, promptDim, e, e]}. */
    public NDArray densePositionalEncoding(NDManager manager) {
        return parts.densePositionalEncoding(manager);
    }

    @Override
    public float[] preprocess(float[] rgb, int height, int width) {
        int s = config.imageSize();
        if (height > s || width > s || rgb.length != height * width * 3) {
            throw new IllegalArgumentException("image of " + height + "x" + width + " (" + rgb.length
                    + " values) does not fit the " + s + "x" + s + " input of " + variantId()
                    + "; resize its longest side to " + s + " first");
        }
        float[] out = new float[3 * s * s];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[(c * s + y) * s + x] = (rgb[(y * width + x) * 3 + c] - PIXEL_MEAN[c]) / PIXEL_STD[c];
                }
            }
        }
        return out;
    }

    /**
     * Official names stay. A file that holds Hugging Face {@code facebook/sam-vit-*} names is read as a
     * Hugging Face file throughout (both schemes use {@code layers.0} for different layers) and its names
     * map onto the official ones. The preprocessing constants {@code pixel_mean} and {@code pixel_std}
     * are ignored.
     */
    @Override
    public Map<String, String> canonicalNames(List<String> namesInFile) {
        java.util.Set<String> official = tensorNames();
        Map<String, String> byHf = SamCheckpointNames.officialByHuggingFace(official);
        boolean huggingFace = namesInFile.stream().anyMatch(n -> !official.contains(n) && byHf.containsKey(n));
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String n : namesInFile) {
            if (SamCheckpointNames.IGNORED.contains(n)) {
                m.put(n, null);
            } else {
                m.put(n, huggingFace ? byHf.getOrDefault(n, n) : n);
            }
        }
        return m;
    }
}
