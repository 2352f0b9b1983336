package org.fedfms.data;

import org.fedfms.api.data.LabeledImage;

/**
 * The one path from a decoded sample to a model input: channels filled, resized (bilinear image,
 * nearest mask), normalised per channel, then zero-padded at the bottom and right as SAM does
 * (padding after normalisation).
 */
public final class ModelInputs {

    private ModelInputs() {
    }

    /** Prepares {@code image} for a model that takes {@code spec}. */
    public static ModelInput prepare(LabeledImage image, ModelInputSpec spec) {
        int c = spec.channels();
        if (image.channels() != c && image.channels() != 1) {
            throw new IllegalArgumentException("an image of " + image.channels() + " channels cannot feed a model of "
                    + c + " channels");
        }
        int size = spec.size();
        int[] hw = spec.mode() == ResizeMode.STRETCH ? new int[] {size, size}
                : ImageResize.longestSide(image.height(), image.width(), size);
        int h = hw[0];
        int w = hw[1];
        float[] px = ImageResize.bilinear(image.pixels(), image.height(), image.width(), image.channels(), h, w);
        byte[] m = ImageResize.nearest(image.mask(), image.height(), image.width(), h, w);
        float[] mean = spec.mean();
        float[] std = spec.std();
        float[] out = new float[c * size * size];
        byte[] mask = new byte[size * size];
        int srcChannels = image.channels();
        for (int ch = 0; ch < c; ch++) {
            int from = srcChannels == 1 ? 0 : ch;
            float mu = mean[ch];
            float inv = 1f / std[ch];
            int plane = ch * size * size;
            for (int y = 0; y < h; y++) {
                int src = y * w * srcChannels + from;
                int dst = plane + y * size;
                for (int x = 0; x < w; x++) {
                    out[dst + x] = (px[src + x * srcChannels] - mu) * inv;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            System.arraycopy(m, y * w, mask, y * size, w);
        }
        return new ModelInput(size, c, out, mask, h, w);
    }
}
