package org.fedfms.train.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.io.AtomicFiles;

/**
 * A PNG of three panels side by side at the sample's resolution: the image; the image with the ground
 * truth tinted and outlined; the image with the prediction tinted and the ground truth outlined.
 * Ground truth is green (yellow, cyan for further labels), predictions red (magenta, orange). With a
 * caption, a black strip above the panels carries it in white ({@link CaptionFont}), widened to fit.
 */
final class OverlayImage {

    private static final int[] TRUTH_COLOURS = {0x00d040, 0xf0e000, 0x00d0e0};
    private static final int[] PREDICTION_COLOURS = {0xff2020, 0xff20ff, 0xff9000};
    private static final float TINT = 0.4f;
    private static final int GAP = 4;

    private OverlayImage() {
    }

    /**
     * Writes the overlay atomically.
     *
     * @param predicted predicted label per pixel (0 background), H×W
     */
    static void write(Path file, LabeledImage image, byte[] predicted) throws IOException {
        write(file, image, predicted, "");
    }

    /**
     * Writes the overlay atomically, with {@code caption} above the panels (none when empty).
     *
     * @param predicted predicted label per pixel (0 background), H×W
     */
    static void write(Path file, LabeledImage image, byte[] predicted, String caption) throws IOException {
        int h = image.height();
        int w = image.width();
        int scale = Math.max(1, h / 128);
        int top = caption.isEmpty() ? 0 : (CaptionFont.HEIGHT + 4) * scale;
        int width = Math.max(3 * w + 2 * GAP, caption.isEmpty() ? 0 : CaptionFont.width(caption, scale) + 4 * scale);
        BufferedImage panels = panels(image, predicted);
        BufferedImage out = new BufferedImage(width, h + top, BufferedImage.TYPE_INT_RGB);
        out.createGraphics().drawImage(panels, 0, top, null);
        if (!caption.isEmpty()) {
            CaptionFont.draw(out, caption, 2 * scale, 2 * scale, scale, 0xffffff);
        }
        AtomicFiles.writeStreamed(file, o -> {
            if (!ImageIO.write(out, "png", o)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    private static BufferedImage panels(LabeledImage image, byte[] predicted) {
        int h = image.height();
        int w = image.width();
        BufferedImage out = new BufferedImage(3 * w + 2 * GAP, h, BufferedImage.TYPE_INT_RGB);
        int[] base = rgb(image);
        byte[] truth = image.mask();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                out.setRGB(x, y, base[i]);
                int t = truth[i] & 0xff;
                int truthPixel = t == 0 ? base[i] : tint(base[i], colour(TRUTH_COLOURS, t));
                if (t != 0 && edge(truth, x, y, w, h)) {
                    truthPixel = colour(TRUTH_COLOURS, t);
                }
                out.setRGB(w + GAP + x, y, truthPixel);
                int p = predicted[i] & 0xff;
                int predPixel = p == 0 ? base[i] : tint(base[i], colour(PREDICTION_COLOURS, p));
                if (t != 0 && edge(truth, x, y, w, h)) {
                    predPixel = colour(TRUTH_COLOURS, t);
                }
                out.setRGB(2 * (w + GAP) + x, y, predPixel);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int g = 0; g < GAP; g++) {
                out.setRGB(w + g, y, 0xffffff);
                out.setRGB(2 * w + GAP + g, y, 0xffffff);
            }
        }
        return out;
    }

    private static int[] rgb(LabeledImage image) {
        int n = image.height() * image.width();
        int c = image.channels();
        float[] px = image.pixels();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int r = clamp(px[i * c]);
            int g = c >= 3 ? clamp(px[i * c + 1]) : r;
            int b = c >= 3 ? clamp(px[i * c + 2]) : r;
            out[i] = r << 16 | g << 8 | b;
        }
        return out;
    }

    private static int clamp(float v) {
        return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }

    private static int colour(int[] palette, int label) {
        return palette[(label - 1) % palette.length];
    }

    private static int tint(int base, int colour) {
        int r = mix(base >> 16 & 0xff, colour >> 16 & 0xff);
        int g = mix(base >> 8 & 0xff, colour >> 8 & 0xff);
        int b = mix(base & 0xff, colour & 0xff);
        return r << 16 | g << 8 | b;
    }

    private static int mix(int a, int b) {
        return Math.round(a * (1 - TINT) + b * TINT);
    }

    /** Whether a labelled pixel touches a pixel of another label (4-neighbourhood) or the image edge. */
    private static boolean edge(byte[] m, int x, int y, int w, int h) {
        byte v = m[y * w + x];
        return x == 0 || y == 0 || x == w - 1 || y == h - 1 || m[y * w + x - 1] != v || m[y * w + x + 1] != v
                || m[(y - 1) * w + x] != v || m[(y + 1) * w + x] != v;
    }
}
