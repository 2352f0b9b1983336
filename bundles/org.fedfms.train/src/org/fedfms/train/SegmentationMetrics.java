package org.fedfms.train;

import java.util.Arrays;

/**
 * Per-sample segmentation metrics on binary masks: Dice, IoU and the 95th-percentile Hausdorff
 * distance (HD95), plus the FedFMS reference variant of Dice and IoU (mean over the thresholds 0.1, 0.3,
 * 0.5, 0.7 and 0.9 applied to raw logits). An image where the label is absent from both the prediction
 * and the ground truth scores NaN in all three: it says nothing about the model's segmentation, and is
 * left out of means and counted ({@link org.fedfms.api.Metrics#EMPTY_COUNT}) instead of counting as a perfect 1.
 */
public final class SegmentationMetrics {

    /** Thresholds of the reference variant. */
    private static final double[] REFERENCE_THRESHOLDS = {0.1, 0.3, 0.5, 0.7, 0.9};

    private SegmentationMetrics() {
    }

    /**
     * Metrics of one sample.
     *
     * @param dice Dice coefficient (NaN when both masks are empty)
     * @param iou intersection over union (NaN when both masks are empty)
     * @param hd95 95th-percentile symmetric boundary distance in pixels; NaN when both masks are empty,
     *     the image diagonal when exactly one is empty
     */
    public record Scores(double dice, double iou, double hd95) {

        /** Whether the label is absent from both prediction and ground truth (all scores NaN). */
        public boolean absent() {
            return Double.isNaN(dice);
        }
    }

    /** Standard metrics: prediction = sigmoid(logit) &gt; 0.5, i.e. logit &gt; 0. */
    public static Scores standard(float[] logits, byte[] truth, int height, int width) {
        checkSize(logits.length, truth.length, height, width);
        boolean[] pred = new boolean[logits.length];
        for (int i = 0; i < logits.length; i++) {
            pred[i] = logits[i] > 0f;
        }
        boolean[] gt = binary(truth);
        double[] di = diceIou(pred, gt);
        return new Scores(di[0], di[1], hd95(pred, gt, height, width));
    }

    /**
     * The reference code's variant: Dice and IoU averaged over the thresholds 0.1, 0.3, 0.5, 0.7 and 0.9
     * applied to the raw logits (not to probabilities); HD95 as in {@link #standard}. A threshold at which
     * both masks are empty is left out of the average; all three NaN when that holds for every threshold.
     */
    public static Scores reference(float[] logits, byte[] truth, int height, int width) {
        checkSize(logits.length, truth.length, height, width);
        boolean[] gt = binary(truth);
        boolean[] pred = new boolean[logits.length];
        double dice = 0;
        double iou = 0;
        int counted = 0;
        for (double t : REFERENCE_THRESHOLDS) {
            for (int i = 0; i < logits.length; i++) {
                pred[i] = logits[i] > t;
            }
            double[] di = diceIou(pred, gt);
            if (!Double.isNaN(di[0])) {
                dice += di[0];
                iou += di[1];
                counted++;
            }
        }
        for (int i = 0; i < logits.length; i++) {
            pred[i] = logits[i] > 0f;
        }
        if (counted == 0) {
            return new Scores(Double.NaN, Double.NaN, Double.NaN);
        }
        return new Scores(dice / counted, iou / counted, hd95(pred, gt, height, width));
    }

    /** {@link #reference} when {@code reference} is set, else {@link #standard}. */
    public static Scores of(float[] logits, byte[] truth, int height, int width, boolean reference) {
        return reference ? reference(logits, truth, height, width) : standard(logits, truth, height, width);
    }

    private static void checkSize(int logits, int truth, int height, int width) {
        if (logits != height * width || truth != height * width) {
            throw new IllegalArgumentException(logits + " logits and " + truth + " ground truth pixels do not match "
                    + height + "x" + width);
        }
    }

    private static boolean[] binary(byte[] mask) {
        boolean[] b = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            b[i] = mask[i] != 0;
        }
        return b;
    }

    /** Dice and IoU of two binary masks; both NaN when both masks are empty. */
    public static double[] diceIou(boolean[] pred, boolean[] gt) {
        if (pred.length != gt.length) {
            throw new IllegalArgumentException("prediction has " + pred.length + " pixels, ground truth " + gt.length);
        }
        long inter = 0;
        long p = 0;
        long g = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i]) {
                p++;
            }
            if (gt[i]) {
                g++;
                if (pred[i]) {
                    inter++;
                }
            }
        }
        if (p + g == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {2.0 * inter / (p + g), (double) inter / (p + g - inter)};
    }

    /**
     * HD95 between the boundaries of two binary masks (Euclidean distance), as medpy computes it; NaN when
     * both masks are empty, the image diagonal when one is.
     */
    public static double hd95(boolean[] pred, boolean[] gt, int height, int width) {
        if (pred.length != height * width || gt.length != height * width) {
            throw new IllegalArgumentException("masks do not have " + height + "x" + width + " pixels");
        }
        boolean[] bp = boundary(pred, height, width);
        boolean[] bg = boundary(gt, height, width);
        boolean anyP = any(bp);
        boolean anyG = any(bg);
        if (!anyP && !anyG) {
            return Double.NaN;
        }
        if (!anyP || !anyG) {
            return Math.sqrt((double) height * height + (double) width * width);
        }
        double[] dToG = distanceTransform(bg, height, width);
        double[] dToP = distanceTransform(bp, height, width);
        // as medpy.metric.hd95: the 95th percentile of both directed boundary distances together
        return percentile95(dToG, bp, dToP, bg);
    }

    private static boolean any(boolean[] m) {
        for (boolean b : m) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /**
     * Boundary pixels as medpy finds them: the mask minus its erosion by the 4-connected cross
     * ({@code scipy.ndimage.binary_erosion} with its default {@code border_value=0}, so pixels outside
     * the image count as background and foreground on the image edge is boundary).
     */
    private static boolean[] boundary(boolean[] m, int h, int w) {
        boolean[] b = new boolean[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (m[i]) {
                    b[i] = y == 0 || y + 1 == h || x == 0 || x + 1 == w
                            || !m[i - w] || !m[i + w] || !m[i - 1] || !m[i + 1];
                }
            }
        }
        return b;
    }

    /** Exact Euclidean distance of every pixel to the nearest set pixel (Felzenszwalb–Huttenlocher). */
    public static double[] distanceTransform(boolean[] set, int h, int w) {
        double inf = 1e20;
        double[] f = new double[h * w];
        for (int i = 0; i < f.length; i++) {
            f[i] = set[i] ? 0 : inf;
        }
        double[] col = new double[h];
        double[] out = new double[Math.max(h, w)];
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                col[y] = f[y * w + x];
            }
            edt1d(col, h, out);
            for (int y = 0; y < h; y++) {
                f[y * w + x] = out[y];
            }
        }
        double[] row = new double[w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(f, y * w, row, 0, w);
            edt1d(row, w, out);
            for (int x = 0; x < w; x++) {
                f[y * w + x] = Math.sqrt(out[x]);
            }
        }
        return f;
    }

    private static void edt1d(double[] f, int n, double[] d) {
        int[] v = new int[n];
        double[] z = new double[n + 1];
        int k = 0;
        v[0] = 0;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        for (int q = 1; q < n; q++) {
            double s = ((f[q] + (double) q * q) - (f[v[k]] + (double) v[k] * v[k])) / (2.0 * q - 2.0 * v[k]);
            while (s <= z[k]) {
                k--;
                s = ((f[q] + (double) q * q) - (f[v[k]] + (double) v[k] * v[k])) / (2.0 * q - 2.0 * v[k]);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        k = 0;
        for (int q = 0; q < n; q++) {
            while (z[k + 1] < q) {
                k++;
            }
            double dq = q - v[k];
            d[q] = dq * dq + f[v[k]];
        }
    }

    private static double percentile95(double[] distA, boolean[] atA, double[] distB, boolean[] atB) {
        int n = 0;
        for (int p = 0; p < atA.length; p++) {
            n += (atA[p] ? 1 : 0) + (atB[p] ? 1 : 0);
        }
        double[] vals = new double[n];
        int i = 0;
        for (int p = 0; p < atA.length; p++) {
            if (atA[p]) {
                vals[i++] = distA[p];
            }
            if (atB[p]) {
                vals[i++] = distB[p];
            }
        }
        Arrays.sort(vals);
        // linear interpolation between closest ranks, as numpy.percentile does by default
        double rank = 0.95 * (n - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, n - 1);
        return vals[lo] + (rank - lo) * (vals[hi] - vals[lo]);
    }
}
