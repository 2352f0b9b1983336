package org.fedfms.ui.internal.viewer;

import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.PaletteData;
import org.eclipse.swt.graphics.RGB;
import org.fedfms.api.data.LabeledImage;

/**
 * Draws one sample for the segmentation viewer at the sample's resolution: the image in grey (or its
 * colours), the prediction filled in a translucent colour and the ground truth outlined in an opaque
 * one. Label {@code k} takes the k-th colour of each palette; ground truth is green (yellow, cyan),
 * predictions red (magenta, orange), as in the exporter's PNGs.
 */
public final class SegmentationOverlay {

    /** Fill colours of predicted labels 1, 2, 3 (0xRRGGBB). */
    public static final int[] PREDICTION_COLOURS = {0xff2020, 0xff20ff, 0xff9000};

    /** Outline colours of ground-truth labels 1, 2, 3 (0xRRGGBB). */
    public static final int[] TRUTH_COLOURS = {0x00d040, 0xf0e000, 0x00d0e0};

    /**
     * What to draw.
     *
     * @param truth outline the ground truth
     * @param prediction fill the prediction
     * @param alpha opacity of the prediction fill, 0 (invisible) to 255 (opaque)
     */
    public record Style(boolean truth, boolean prediction, int alpha) {

        /** Both overlays, the prediction at 45 % opacity. */
        public static final Style DEFAULT = new Style(true, true, 115);

        public Style {
            if (alpha < 0 || alpha > 255) {
                throw new IllegalArgumentException("alpha must be 0..255, got " + alpha);
            }
        }
    }

    private SegmentationOverlay() {
    }

    /**
     * The sample with its overlays as a 24-bit image of the sample's size.
     *
     * @param image the decoded sample (pixels 0..255, 1 or 3 channels, and its ground-truth mask)
     * @param predicted predicted label per pixel (0 background), H×W
     */
    public static ImageData render(LabeledImage image, byte[] predicted, Style style) {
        int h = image.height();
        int w = image.width();
        if (predicted.length != h * w) {
            throw new IllegalArgumentException("prediction holds " + predicted.length + " labels for a " + h + "x" + w
                    + " image");
        }
        ImageData out = new ImageData(w, h, 24, new PaletteData(0xff0000, 0x00ff00, 0x0000ff));
        byte[] truth = image.mask();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int rgb = base(image, i);
                int p = predicted[i] & 0xff;
                if (style.prediction() && p != 0) {
                    rgb = blend(rgb, colour(PREDICTION_COLOURS, p), style.alpha());
                }
                int t = truth[i] & 0xff;
                if (style.truth() && t != 0 && edge(truth, x, y, w, h)) {
                    rgb = colour(TRUTH_COLOURS, t);
                }
                row[x] = rgb;
            }
            out.setPixels(0, y, w, row, 0);
        }
        return out;
    }

    /** The image's own colour of pixel {@code i} (grey repeated for one channel), clamped to 0..255. */
    public static int base(LabeledImage image, int i) {
        int c = image.channels();
        float[] px = image.pixels();
        int r = clamp(px[i * c]);
        int g = c >= 3 ? clamp(px[i * c + 1]) : r;
        int b = c >= 3 ? clamp(px[i * c + 2]) : r;
        return r << 16 | g << 8 | b;
    }

    /** {@code colour} over {@code base} at opacity {@code alpha} (0..255), per channel, rounded. */
    public static int blend(int base, int colour, int alpha) {
        int r = mix(base >> 16 & 0xff, colour >> 16 & 0xff, alpha);
        int g = mix(base >> 8 & 0xff, colour >> 8 & 0xff, alpha);
        int b = mix(base & 0xff, colour & 0xff, alpha);
        return r << 16 | g << 8 | b;
    }

    /** The colour of label {@code label} (1, 2, ...) in a palette. */
    public static int colour(int[] palette, int label) {
        return palette[(label - 1) % palette.length];
    }

    /** A colour as SWT's RGB. */
    public static RGB rgb(int colour) {
        return new RGB(colour >> 16 & 0xff, colour >> 8 & 0xff, colour & 0xff);
    }

    /**
     * Whether a labelled pixel lies on its region's outline: it touches a pixel of another label
     * (4-neighbourhood) or the image border.
     */
    public static boolean edge(byte[] mask, int x, int y, int w, int h) {
        byte v = mask[y * w + x];
        return x == 0 || y == 0 || x == w - 1 || y == h - 1 || mask[y * w + x - 1] != v || mask[y * w + x + 1] != v
                || mask[(y - 1) * w + x] != v || mask[(y + 1) * w + x] != v;
    }

    private static int mix(int a, int b, int alpha) {
        return (a * (255 - alpha) + b * alpha + 127) / 255;
    }

    private static int clamp(float v) {
        return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
}
