package org.fedfms.train.internal;

import java.io.IOException;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.data.ImageResize;
import org.fedfms.model.SegmentationModel;

/**
 * A sample brought to a model's input: its longest side resized to the input size (bilinear image,
 * nearest mask, through {@link ImageResize}), normalised by the model's own preprocessing and zero-padded
 * at the bottom and right; the decoded original is kept for metrics at the original resolution.
 *
 * @param id the sample's id
 * @param original the decoded sample
 * @param validHeight rows of the input that hold the image
 * @param validWidth columns of the input that hold the image
 * @param input {@code [3, S, S]} normalised pixels
 * @param inputMask {@code S × S} labels, 0 in the padding
 * @param size the input size S
 */
record PreparedSample(String id, LabeledImage original, int validHeight, int validWidth, float[] input,
        byte[] inputMask, int size) {

    /**
     * Loads and prepares {@code sample} for {@code model}.
     *
     * @throws IOException naming the site and sample when it cannot be read or has an unusable shape
     */
    static PreparedSample of(Sample sample, SegmentationModel model, String siteId) throws IOException {
        LabeledImage image;
        try {
            image = sample.load();
        } catch (IOException | RuntimeException e) {
            throw new IOException("site '" + siteId + "', sample '" + sample.id() + "' cannot be loaded: "
                    + e.getMessage(), e);
        }
        int c = image.channels();
        if (c != 1 && c != 3) {
            throw new IOException("site '" + siteId + "', sample '" + sample.id() + "' has " + c
                    + " channels; the model takes 1 (repeated) or 3");
        }
        int size = model.inputSize();
        int[] hw = ImageResize.longestSide(image.height(), image.width(), size);
        int h = hw[0];
        int w = hw[1];
        float[] resized = ImageResize.bilinear(image.pixels(), image.height(), image.width(), c, h, w);
        float[] rgb = c == 3 ? resized : gray3(resized);
        byte[] mask = ImageResize.nearest(image.mask(), image.height(), image.width(), h, w);
        byte[] padded = new byte[size * size];
        for (int y = 0; y < h; y++) {
            System.arraycopy(mask, y * w, padded, y * size, w);
        }
        return new PreparedSample(sample.id(), image, h, w, model.preprocess(rgb, h, w), padded, size);
    }

    private static float[] gray3(float[] gray) {
        float[] rgb = new float[gray.length * 3];
        for (int i = 0, o = 0; i < gray.length; i++, o += 3) {
            rgb[o] = gray[i];
            rgb[o + 1] = gray[i];
            rgb[o + 2] = gray[i];
        }
        return rgb;
    }

    /**
     * Training targets at the low-resolution mask size (nearest neighbour from the padded input mask):
     * {@code [channels, low, low]} of 0/1, channel {@code k} is label {@code k + 1}, or every label &gt; 0
     * when there is one channel.
     */
    float[] lowResTargets(int low, int channels) {
        byte[] m = ImageResize.nearest(inputMask, size, size, low, low);
        float[] t = new float[channels * low * low];
        for (int k = 0; k < channels; k++) {
            int base = k * low * low;
            for (int i = 0; i < m.length; i++) {
                boolean on = channels == 1 ? m[i] != 0 : m[i] == k + 1;
                t[base + i] = on ? 1f : 0f;
            }
        }
        return t;
    }

    /** The original mask of one channel as 0/1 ({@link #lowResTargets} semantics). */
    byte[] truth(int channel, int channels) {
        byte[] m = original.mask();
        byte[] t = new byte[m.length];
        for (int i = 0; i < m.length; i++) {
            boolean on = channels == 1 ? m[i] != 0 : m[i] == channel + 1;
            t[i] = (byte) (on ? 1 : 0);
        }
        return t;
    }

    /**
     * Low-resolution logits of one mask ({@code low × low}) brought back to the original image, as SAM's
     * {@code postprocess_masks}: bilinear to the input size, the padding cropped, bilinear to the original size.
     */
    float[] toOriginal(float[] lowRes, int low) {
        float[] full = ImageResize.bilinear(lowRes, low, low, 1, size, size);
        float[] valid = new float[validHeight * validWidth];
        for (int y = 0; y < validHeight; y++) {
            System.arraycopy(full, y * size, valid, y * validWidth, validWidth);
        }
        return ImageResize.bilinear(valid, validHeight, validWidth, 1, original.height(), original.width());
    }
}
