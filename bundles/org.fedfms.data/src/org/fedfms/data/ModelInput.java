package org.fedfms.data;

/**
 * A sample ready for a model: normalised pixels in channel-major order and the mask at the same
 * size, both padded with zeros outside the valid area.
 *
 * @param size input height and width
 * @param channels channels of {@code pixels}
 * @param pixels C×size×size normalised values (0 in the padding)
 * @param mask size×size labels (0 in the padding)
 * @param validHeight rows holding the image (the rest is padding)
 * @param validWidth columns holding the image
 */
public record ModelInput(int size, int channels, float[] pixels, byte[] mask, int validHeight, int validWidth) {

    public ModelInput {
        if (pixels.length != channels * size * size || mask.length != size * size) {
            throw new IllegalArgumentException("model input arrays do not match " + channels + "x" + size + "x" + size);
        }
    }
}
