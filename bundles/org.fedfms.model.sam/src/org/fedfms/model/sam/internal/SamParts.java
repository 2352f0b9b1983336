package org.fedfms.model.sam.internal;

import org.fedfms.model.MaskPrediction;
import org.fedfms.model.Prompts;
import org.fedfms.model.sam.SamConfig;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** The three parts of SAM and how prompts and image embeddings become masks. */
public final class SamParts {

    private final SamConfig config;
    private final ImageEncoder imageEncoder;
    private final PromptEncoder promptEncoder;
    private final MaskDecoder maskDecoder;

    public SamParts(SamConfig c) {
        this.config = c;
        this.imageEncoder = new ImageEncoder(c, "image_encoder");
        this.promptEncoder = new PromptEncoder(c.promptDim(), c.embeddingSize(), c.imageSize(), c.maskInChannels());
        this.maskDecoder = new MaskDecoder(c.promptDim(), c.decoderDepth(), c.decoderHeads(), c.decoderMlpDim(),
                c.iouHeadDepth(), c.iouHeadHidden());
    }

    public ImageEncoder imageEncoder() {
        return imageEncoder;
    }

    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public MaskDecoder maskDecoder() {
        return maskDecoder;
    }

    public NDArray densePositionalEncoding(NDManager m) {
        return promptEncoder.densePositionalEncoding(m);
    }

    public org.fedfms.model.sam.SamModel.PromptEmbeddings embedPrompts(NDManager m, Prompts prompts, long batch) {
        PromptEncoder.Embeddings e = promptEncoder.embed(m, prompts, batch);
        return new org.fedfms.model.sam.SamModel.PromptEmbeddings(e.sparse(), e.dense());
    }

    /** Masks from image embeddings {@code [B, P, e, e]} and per-image prompts. */
    public MaskPrediction decode(NDArray embeddings, Prompts prompts, boolean multimask) {
        long[] s = embeddings.getShape().getShape();
        int e = config.embeddingSize();
        if (s.length != 4 || s[1] != config.promptDim() || s[2] != e || s[3] != e) {
            throw new IllegalArgumentException("image embeddings must be [B, " + config.promptDim() + ", " + e + ", " + e
                    + "], got " + embeddings.getShape());
        }
        long b = s[0];
        check(prompts.points(), b, 3, "points [B, N, 2]", 2);
        check(prompts.labels(), b, 2, "labels [B, N]", -1);
        check(prompts.boxes(), b, 2, "boxes [B, 4]", 4);
        check(prompts.masks(), b, 4, "masks [B, 1, " + 4 * e + ", " + 4 * e + "]", 4 * e);
        NDManager m = embeddings.getManager();
        PromptEncoder.Embeddings pe = promptEncoder.embed(m, prompts, b);
        return maskDecoder.forward(embeddings, promptEncoder.densePositionalEncoding(m), pe.sparse(), pe.dense(),
                multimask);
    }

    private static void check(NDArray a, long batch, int rank, String what, long last) {
        if (a == null) {
            return;
        }
        long[] s = a.getShape().getShape();
        if (s.length != rank || s[0] != batch || last >= 0 && s[rank - 1] != last) {
            throw new IllegalArgumentException("prompt " + what + " expected for a batch of " + batch + ", got "
                    + a.getShape());
        }
    }
}
