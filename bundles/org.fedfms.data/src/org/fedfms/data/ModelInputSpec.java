package org.fedfms.data;

/**
 * What a model takes in: a square input of {@code size} pixels, how images get there, and the
 * per-channel normalisation applied before padding.
 *
 * @param size input height and width in pixels
 * @param mode stretch, or scale the longest side and pad (SAM)
 * @param channels channels the model takes (grayscale images are repeated to fill them)
 * @param mean per-channel mean subtracted from 0..255 pixel values
 * @param std per-channel standard deviation divided by
 */
public record ModelInputSpec(int size, ResizeMode mode, int channels, float[] mean, float[] std) {

    private static final float[] SAM_MEAN = {123.675f, 116.28f, 103.53f};
    private static final float[] SAM_STD = {58.395f, 57.12f, 57.375f};

    /** SAM's input: 1024 pixels, longest side scaled then padded, ImageNet mean/std in 0..255 units. */
    public static final ModelInputSpec SAM = sam(1024);

    public ModelInputSpec {
        if (size <= 0 || channels <= 0) {
            throw new IllegalArgumentException("bad model input " + size + "x" + size + "x" + channels);
        }
        if (mode == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mode, and mean and std with one value per channel, are required");
        }
        mean = mean.clone();
        std = std.clone();
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + s);
            }
        }
    }

    /** SAM's preprocessing at another input size (e.g. a small test model). */
    public static ModelInputSpec sam(int size) {
        return new ModelInputSpec(size, ResizeMode.LONGEST_SIDE_PAD, 3, SAM_MEAN, SAM_STD);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
