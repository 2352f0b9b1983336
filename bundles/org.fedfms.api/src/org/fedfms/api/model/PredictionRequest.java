package org.fedfms.api.model;

import java.nio.file.Path;

/**
 * Running a model on one image.
 *
 * @param model model variant id
 * @param adapter adapter type id the weights were trained with, or empty for none
 * @param weights weights file (PyTorch {@code .pth}/{@code .pt}, {@code .safetensors} or {@code .npz}) holding every
 *        tensor of the model
 * @param image a {@code .npy} float32 {@code H×W×3} array of 0..255 values whose longest side is the
 *     model's input size, or a PNG/JPEG image (resized as SAM's reference pipeline does)
 * @param output where to write: {@code X.png} gets an overlay and {@code X.masks.npy}, {@code X.iou.npy};
 *     {@code X.npy} gets the mask logits and {@code X.iou.npy}; anything else is a prefix
 * @param prompt {@code none}, {@code box:x0,y0,x1,y1} or {@code point:x,y}, in the image's own pixels
 * @param multimask three masks (tokens 1-3) instead of one (token 0)
 * @param device {@code auto}, {@code cpu} or {@code gpu:N}
 */
public record PredictionRequest(String model, String adapter, Path weights, Path image, Path output, String prompt,
        boolean multimask, String device) {

    public PredictionRequest {
        adapter = adapter == null ? "" : adapter;
        prompt = prompt == null || prompt.isBlank() ? "none" : prompt.trim();
        device = device == null || device.isBlank() ? "auto" : device.trim();
    }
}
