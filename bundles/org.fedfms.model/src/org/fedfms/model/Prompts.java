package org.fedfms.model;

import ai.djl.ndarray.NDArray;

/**
 * Prompts for a batch of images, in input-pixel coordinates (after resizing, before padding). Absent
 * parts are {@code null}; all absent is prompt-free decoding.
 *
 * @param points point coordinates {@code [B, N, 2]} as (x, y)
 * @param labels point labels {@code [B, N]}: 1 foreground, 0 background, -1 padding
 * @param boxes boxes {@code [B, 4]} as (x0, y0, x1, y1)
 * @param masks low-resolution mask logits {@code [B, 1, 4e, 4e]} (e = embedding grid size)
 */
public record Prompts(NDArray points, NDArray labels, NDArray boxes, NDArray masks) {

    private static final Prompts NONE = new Prompts(null, null, null, null);

    public Prompts {
        if ((points == null) != (labels == null)) {
            throw new IllegalArgumentException("points and labels come together");
        }
    }

    /** No prompt: prompt-free decoding. */
    public static Prompts none() {
        return NONE;
    }

    public static Prompts ofPoints(NDArray points, NDArray labels) {
        return new Prompts(points, labels, null, null);
    }

    public static Prompts ofBoxes(NDArray boxes) {
        return new Prompts(null, null, boxes, null);
    }

    public boolean isEmpty() {
        return points == null && boxes == null && masks == null;
    }
}
