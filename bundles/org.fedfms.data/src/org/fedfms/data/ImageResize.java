package org.fedfms.data;

import org.fedfms.api.data.LabeledImage;

/**
 * The resizing every loader and trainer uses: bilinear for images (half-pixel centres, as OpenCV's
 * INTER_LINEAR and PIL), nearest neighbour for masks (as OpenCV's INTER_NEAREST), so labels stay
 * labels.
 */
public final class ImageResize {

    private ImageResize() {
    }

    /** Resizes an H×W×C row-major image to {@code newHeight × newWidth} bilinearly. */
    public static float[] bilinear(float[] src, int height, int width, int channels, int newHeight, int newWidth) {
        check(src.length, height * width * channels, newHeight, newWidth);
        if (height == newHeight && width == newWidth) {
            return src.clone();
        }
        int[] x0 = new int[newWidth];
        int[] x1 = new int[newWidth];
        float[] fx = new float[newWidth];
        axis(width, newWidth, x0, x1, fx);
        int[] y0 = new int[newHeight];
        int[] y1 = new int[newHeight];
        float[] fy = new float[newHeight];
        axis(height, newHeight, y0, y1, fy);
        float[] out = new float[newHeight * newWidth * channels];
        int o = 0;
        for (int y = 0; y < newHeight; y++) {
            int r0 = y0[y] * width * channels;
            int r1 = y1[y] * width * channels;
            float wy = fy[y];
            for (int x = 0; x < newWidth; x++) {
                int c0 = x0[x] * channels;
                int c1 = x1[x] * channels;
                float wx = fx[x];
                for (int c = 0; c < channels; c++) {
                    float top = src[r0 + c0 + c] + (src[r0 + c1 + c] - src[r0 + c0 + c]) * wx;
                    float bottom = src[r1 + c0 + c] + (src[r1 + c1 + c] - src[r1 + c0 + c]) * wx;
                    out[o++] = top + (bottom - top) * wy;
                }
            }
        }
        return out;
    }

    /** Resizes an H×W label mask by nearest neighbour: source index floor(dst · src/dst). */
    public static byte[] nearest(byte[] src, int height, int width, int newHeight, int newWidth) {
        check(src.length, height * width, newHeight, newWidth);
        if (height == newHeight && width == newWidth) {
            return src.clone();
        }
        int[] xs = new int[newWidth];
        for (int x = 0; x < newWidth; x++) {
            xs[x] = Math.min(width - 1, (int) Math.floor(x * (double) width / newWidth));
        }
        byte[] out = new byte[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++) {
            int sy = Math.min(height - 1, (int) Math.floor(y * (double) height / newHeight));
            int row = sy * width;
            int o = y * newWidth;
            for (int x = 0; x < newWidth; x++) {
                out[o + x] = src[row + xs[x]];
            }
        }
        return out;
    }

    /** Image bilinearly and mask by nearest neighbour to {@code newHeight × newWidth}. */
    public static LabeledImage resize(LabeledImage image, int newHeight, int newWidth) {
        if (image.height() == newHeight && image.width() == newWidth) {
            return image;
        }
        return new LabeledImage(newHeight, newWidth, image.channels(),
                bilinear(image.pixels(), image.height(), image.width(), image.channels(), newHeight, newWidth),
                nearest(image.mask(), image.height(), image.width(), newHeight, newWidth));
    }

    /**
     * The size {@code {height, width}} whose longest side is {@code size}, aspect ratio kept (SAM's
     * {@code ResizeLongestSide}: scale = size / longest side, sides rounded half up).
     */
    public static int[] longestSide(int height, int width, int size) {
        double scale = size / (double) Math.max(height, width);
        return new int[] {Math.max(1, (int) (height * scale + 0.5)), Math.max(1, (int) (width * scale + 0.5))};
    }

    private static void axis(int src, int dst, int[] i0, int[] i1, float[] f) {
        double scale = src / (double) dst;
        for (int d = 0; d < dst; d++) {
            double s = (d + 0.5) * scale - 0.5;
            if (s < 0) {
                s = 0;
            }
            int lo = (int) Math.floor(s);
            if (lo >= src - 1) {
                lo = src - 1;
                s = lo;
            }
            i0[d] = lo;
            i1[d] = Math.min(src - 1, lo + 1);
            f[d] = (float) (s - lo);
        }
    }

    private static void check(int length, int expected, int newHeight, int newWidth) {
        if (length != expected) {
            throw new IllegalArgumentException("array holds " + length + " values, expected " + expected);
        }
        if (newHeight <= 0 || newWidth <= 0) {
            throw new IllegalArgumentException("bad target size " + newHeight + "x" + newWidth);
        }
    }
}
