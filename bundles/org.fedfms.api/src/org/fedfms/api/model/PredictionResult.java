package org.fedfms.api.model;

import java.nio.file.Path;
import java.util.List;

/**
 * What a prediction wrote.
 *
 * @param model model variant id
 * @param masksFile the low-resolution mask logits, {@code .npy} float32 {@code [K, L, L]}
 * @param iouFile the predicted IoU per mask, {@code .npy} float32 {@code [K]}
 * @param overlayFile the PNG overlay, or {@code null} when none was asked for
 * @param maskShape {@code [K, L, L]}
 * @param iou the predicted IoU per mask
 * @param device the device that ran the model
 * @param millis wall time of the model's forward pass
 */
public record PredictionResult(String model, Path masksFile, Path iouFile, Path overlayFile, List<Integer> maskShape,
        List<Float> iou, String device, long millis) {

    public PredictionResult {
        maskShape = List.copyOf(maskShape);
        iou = List.copyOf(iou);
    }
}
