package org.fedfms.model.io;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.fedfms.api.io.AtomicFiles;

/**
 * An 8-bit RGB image as {@code height × width × 3} values 0..255, row-major; read from PNG/JPEG and
 * resized the way SAM's reference pipeline does it (longest side to the input size with PIL's
 * antialiased bilinear filter, here reimplemented in PIL's fixed-point arithmetic).
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb interleaved R, G, B values
 */
public record RgbImage(int width, int height, float[] rgb) {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " values, got " + rgb.length);
        }
    }

    /** Reads a PNG or JPEG file (grey, indexed, RGB or RGBA; alpha is dropped). */
    public static RgbImage read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("cannot read image " + file);
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + ": not an image this runtime can read (use PNG or JPEG)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        float[] v = new float[w * h * 3];
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getNumComponents() <= 2 && img.getColorModel().getColorSpace().getType()
                == java.awt.color.ColorSpace.TYPE_GRAY;
        int bits = img.getColorModel().getComponentSize(0);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                if (grey) {
                    int s = raster.getSample(x, y, 0);
                    float g = bits > 8 ? Math.round(s / 257f) : s;
                    v[i] = g;
                    v[i + 1] = g;
                    v[i + 2] = g;
                } else {
                    int argb = img.getRGB(x, y);
                    v[i] = (argb >> 16) & 0xff;
                    v[i + 1] = (argb >> 8) & 0xff;
                    v[i + 2] = argb & 0xff;
                }
            }
        }
        return new RgbImage(w, h, v);
    }

    /** The size SAM's {@code ResizeLongestSide} gives: longest side {@code target}, rounded half up. */
    public static int[] longestSideSize(int height, int width, int target) {
        double scale = target * 1.0 / Math.max(height, width);
        int newH = (int) (height * scale + 0.5);
        int newW = (int) (width * scale + 0.5);
        return new int[] {newH, newW};
    }

    /** This image with its longest side resized to {@code target} (see {@link #longestSideSize}). */
    public RgbImage resizeLongestSide(int target) {
        int[] hw = longestSideSize(height, width, target);
        return resize(hw[1], hw[0]);
    }

    /** This image resized with PIL's {@code Image.resize(size, BILINEAR)} arithmetic. */
    public RgbImage resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return new RgbImage(width, height, rgb.clone());
        }
        int[] src = new int[rgb.length];
        for (int i = 0; i < src.length; i++) {
            src[i] = Math.max(0, Math.min(255, Math.round(rgb[i])));
        }
        int[] horizontal = newWidth == width ? src : resampleRows(src, width, height, newWidth);
        int[] vertical = newHeight == height ? horizontal : resampleColumns(horizontal, newWidth, height, newHeight);
        float[] out = new float[vertical.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = vertical[i];
        }
        return new RgbImage(newWidth, newHeight, out);
    }

    /** Fixed-point coefficients of one output pixel: first input index and weights. */
    private record Coefficients(int[] first, int[][] weights) {
    }

    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale;
        int[] first = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double[] k = new double[Math.max(0, xmax)];
            double ww = 0;
            for (int x = 0; x < k.length; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                k[x] = t < 1.0 ? 1.0 - t : 0.0;
                ww += k[x];
            }
            int[] fixed = new int[k.length];
            for (int x = 0; x < k.length; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                fixed[x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            weights[xx] = fixed;
        }
        return new Coefficients(first, weights);
    }

    private static int clip8(long sum) {
        long v = sum >> PRECISION_BITS;
        return (int) Math.max(0, Math.min(255, v));
    }

    private static int[] resampleRows(int[] src, int w, int h, int newW) {
        Coefficients c = coefficients(w, newW);
        int[] out = new int[newW * h * 3];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < newW; xx++) {
                int[] k = c.weights()[xx];
                int x0 = c.first()[xx];
                for (int ch = 0; ch < 3; ch++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int x = 0; x < k.length; x++) {
                        ss += (long) src[(y * w + x0 + x) * 3 + ch] * k[x];
                    }
                    out[(y * newW + xx) * 3 + ch] = clip8(ss);
                }
            }
        }
        return out;
    }

    private static int[] resampleColumns(int[] src, int w, int h, int newH) {
        Coefficients c = coefficients(h, newH);
        int[] out = new int[w * newH * 3];
        for (int yy = 0; yy < newH; yy++) {
            int[] k = c.weights()[yy];
            int y0 = c.first()[yy];
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int y = 0; y < k.length; y++) {
                        ss += (long) src[((y0 + y) * w + x) * 3 + ch] * k[y];
                    }
                    out[(yy * w + x) * 3 + ch] = clip8(ss);
                }
            }
        }
        return out;
    }

    /**
     * Writes this image as PNG with a mask drawn over it in translucent red: {@code maskLogits}
     * ({@code size × size}, covering the padded square input of side {@code inputSize} whose top-left
     * part is this image) is upsampled bilinearly and drawn where it is positive.
     */
    public void writeOverlayPng(Path file, float[] maskLogits, int size, int inputSize) throws IOException {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        double step = (double) size / inputSize;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double logit = bilinear(maskLogits, size, (x + 0.5) * step - 0.5, (y + 0.5) * step - 0.5);
                int i = (y * width + x) * 3;
                int r = Math.round(rgb[i]);
                int g = Math.round(rgb[i + 1]);
                int b = Math.round(rgb[i + 2]);
                if (logit > 0) {
                    r = (r + 255) / 2;
                    g = g / 2;
                    b = b / 2;
                }
                out.setRGB(x, y, clamp(r) << 16 | clamp(g) << 8 | clamp(b));
            }
        }
        AtomicFiles.writeStreamed(file, o -> {
            if (!ImageIO.write(out, "png", o)) {
                throw new IOException("no PNG writer in this runtime");
            }
        });
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static double bilinear(float[] a, int size, double x, double y) {
        double cx = Math.max(0, Math.min(size - 1, x));
        double cy = Math.max(0, Math.min(size - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(size - 1, x0 + 1);
        int y1 = Math.min(size - 1, y0 + 1);
        double fx = cx - x0;
        double fy = cy - y0;
        double top = a[y0 * size + x0] * (1 - fx) + a[y0 * size + x1] * fx;
        double bottom = a[y1 * size + x0] * (1 - fx) + a[y1 * size + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }
}
