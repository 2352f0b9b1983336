package org.fedfms.data.npy.internal;

import java.io.IOException;
import java.util.Arrays;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.io.NpyArray;
import org.fedfms.data.ImageResize;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensityWindow;

/** Interprets array shapes as images and masks. */
final class NpyImages {

    /** Largest channel count of a multi-channel label array. */
    static final int MAX_LABEL_CHANNELS = 16;

    private NpyImages() {
    }

    static LabeledImage toLabeledImage(NpyArray img, NpyArray lab, NpyDatasetLoader.Decoding decoding,
            String shownImage, String shownMask) throws IOException {
        int[] s = img.shape();
        int h;
        int w;
        int c;
        boolean chw;
        if (s.length == 2) {
            h = s[0];
            w = s[1];
            c = 1;
            chw = false;
        } else if (s.length == 3 && (s[2] == 1 || s[2] == 3 || s[2] == 4)) {
            h = s[0];
            w = s[1];
            c = s[2];
            chw = false;
        } else if (s.length == 3 && (s[0] == 1 || s[0] == 3 || s[0] == 4)) {
            c = s[0];
            h = s[1];
            w = s[2];
            chw = true;
        } else {
            throw new IOException(shownImage + ": shape " + text(s) + " is not an image (HxW, HxWxC or CxHxW with C "
                    + "1, 3 or 4)");
        }
        if (h == 0 || w == 0) {
            throw new IOException(shownImage + ": empty image of shape " + text(s));
        }
        float[] v = img.values();
        IntensityScaling scaling = decoding.window().intensity() == IntensityScaling.AUTO
                && img.dtype().endsWith("u1") ? IntensityScaling.NONE : decoding.window().intensity();
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IOException(shownImage + ": holds a non-finite value (" + x + ")");
            }
        }
        IntensityWindow window = scaling.window(v, decoding.window().windowLow(), decoding.window().windowHigh());
        float[] rgb = new float[h * w * 3];
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            for (int k = 0; k < 3; k++) {
                int ch = c == 1 ? 0 : k;
                float raw = chw ? v[ch * plane + i] : v[i * c + ch];
                rgb[3 * i + k] = window.apply(raw);
            }
        }
        byte[] mask = mask(lab, decoding, shownMask);
        int[] ls = layout(lab.shape());
        if (ls[0] != h || ls[1] != w) {
            boolean sameAspect = (long) ls[0] * w == (long) ls[1] * h;
            if (!decoding.resizeMasks() || !sameAspect) {
                throw new IOException(shownImage + " is " + h + "x" + w + " (HxW) but its mask " + shownMask + " is "
                        + ls[0] + "x" + ls[1] + (sameAspect ? " (set resizeMasks=true to resize it)" : ""));
            }
            mask = ImageResize.nearest(mask, ls[0], ls[1], h, w);
        }
        return new LabeledImage(h, w, 3, rgb, mask);
    }

    /** {@code {H, W, channels, channelsFirst}} of a label array. */
    private static int[] layout(int[] s) {
        if (s.length == 2) {
            return new int[] {s[0], s[1], 1, 0};
        }
        if (s.length != 3) {
            return null;
        }
        if (s[2] == 1) {
            return new int[] {s[0], s[1], 1, 0};
        }
        if (s[0] == 1) {
            return new int[] {s[1], s[2], 1, 1};
        }
        if (s[2] <= MAX_LABEL_CHANNELS && s[2] < Math.min(s[0], s[1])) {
            return new int[] {s[0], s[1], s[2], 0};
        }
        if (s[0] <= MAX_LABEL_CHANNELS && s[0] < Math.min(s[1], s[2])) {
            return new int[] {s[1], s[2], s[0], 1};
        }
        return null;
    }

    private static byte[] mask(NpyArray lab, NpyDatasetLoader.Decoding decoding, String shown) throws IOException {
        int[] l = layout(lab.shape());
        if (l == null) {
            throw new IOException(shown + ": shape " + text(lab.shape()) + " is not a mask (HxW, HxWx1, 1xHxW, or "
                    + "HxWxK / KxHxW with one channel per structure)");
        }
        int h = l[0];
        int w = l[1];
        int k = l[2];
        boolean first = l[3] == 1;
        float[] v = lab.values();
        int plane = h * w;
        if (k == 1) {
            return decoding.labels().map(h, w, i -> v[i], shown);
        }
        int classes = decoding.labels().classes();
        if (k + 1 > classes) {
            throw new IOException(shown + ": " + k + " label channels need " + (k + 1) + " classes, but classes="
                    + classes);
        }
        byte[] mask = new byte[plane];
        for (int i = 0; i < plane; i++) {
            for (int ch = 0; ch < k; ch++) {
                float x = first ? v[ch * plane + i] : v[i * k + ch];
                if (x != 0 && x != 1 && x != 255) {
                    throw new IOException(shown + ": label channel " + ch + " holds " + x + " at row " + i / w
                            + ", column " + i % w + "; multi-channel labels must be 0/1 or 0/255 per channel");
                }
                if (x != 0) {
                    mask[i] = (byte) (ch + 1);
                }
            }
        }
        return mask;
    }

    private static String text(int[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }
}
