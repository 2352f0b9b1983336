package org.fedfms.model;

import ai.djl.ndarray.NDArray;

/**
 * A {@link SegmentationModel} whose prediction is an image encoder followed by a decoder of the image
 * embedding (as SAM's): {@code predict(images, p, m)} equals {@code decode(encodeImages(images), p, m)}.
 * Lets a trainer compute a frozen encoder's embeddings once and reuse them.
 */
public interface ImageEmbeddingModel {

    /** The part (top-level module, e.g. {@code image_encoder}) that computes the image embedding. */
    String encoderPart();

    /** The image embeddings of preprocessed images {@code [B, 3, S, S]}, in the images' manager. */
    NDArray encodeImages(NDArray images);

    /** Masks and IoU predictions from image embeddings made by {@link #encodeImages}. */
    MaskPrediction decode(NDArray imageEmbeddings, Prompts prompts, boolean multimask);
}
