package org.fedfms.model;

import ai.djl.ndarray.NDArray;

/**
 * What a segmentation model predicts for a batch.
 *
 * @param masks low-resolution mask logits {@code [B, K, L, L]} (K = 1, or 3 with multimask output)
 * @param iou predicted IoU of each mask {@code [B, K]}
 */
public record MaskPrediction(NDArray masks, NDArray iou) {
}
