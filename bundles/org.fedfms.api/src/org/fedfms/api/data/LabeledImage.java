package org.fedfms.api.data;

/**
 * One decoded sample: an image and its label mask, both H×W.
 *
 * @param height rows
 * @param width columns
 * @param channels image channels (1 or 3)
 * @param pixels image values, row-major H×W×C, in the 0..255 range of an 8-bit image
 * @param mask class label per pixel, row-major H×W (0 = background)
 */
public record LabeledImage(int height, int width, int channels, float[] pixels, byte[] mask) {

    public LabeledImage {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("bad image size " + height + "x" + width + "x" + channels);
        }
        if (pixels.length != height * width * channels) {
            throw new IllegalArgumentException("image holds " + pixels.length + " values, expected "
                    + height * width * channels);
        }
        if (mask.length != height * width) {
            throw new IllegalArgumentException("mask holds " + mask.length + " values, expected " + height * width);
        }
    }
}
