package org.fedfms.train.internal;

import java.util.List;
import java.util.SplittableRandom;

import org.fedfms.model.Prompts;
import org.fedfms.train.SegmentationMetrics;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Prompts derived from the ground truth, in input pixels. Boxes: the mask's bounding box; in training
 * each coordinate gets Gaussian noise of {@code jitter} × the box side, at most 20 px at a 1024 px input
 * (SAM's training recipe). Points: one foreground point, uniformly drawn in training, the pixel deepest
 * inside the mask in evaluation. A sample without foreground gets the whole image as box, or one
 * background point (label 0).
 */
final class PromptSampler {

    /** Largest box noise in pixels at a 1024 px input. */
    private static final double MAX_SHIFT_AT_1024 = 20;

    private PromptSampler() {
    }

    /**
     * Prompts for a batch.
     *
     * @param mode {@code none}, {@code box} or {@code point}
     * @param random jitter and point draws in training; {@code null} for the deterministic evaluation prompts
     */
    static Prompts prompts(NDManager manager, String mode, List<PreparedSample> batch, SplittableRandom random,
            double jitter) {
        int b = batch.size();
        switch (mode) {
            case "box" -> {
                float[] boxes = new float[4 * b];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(box(batch.get(i), random, jitter), 0, boxes, 4 * i, 4);
                }
                return Prompts.ofBoxes(manager.create(boxes, new Shape(b, 4)));
            }
            case "point" -> {
                float[] points = new float[2 * b];
                float[] labels = new float[b];
                for (int i = 0; i < b; i++) {
                    float[] p = point(batch.get(i), random);
                    points[2 * i] = p[0];
                    points[2 * i + 1] = p[1];
                    labels[i] = p[2];
                }
                return Prompts.ofPoints(manager.create(points, new Shape(b, 1, 2)), manager.create(labels, new Shape(b, 1)));
            }
            default -> {
                return Prompts.none();
            }
        }
    }

    /** {@code {x0, y0, x1, y1}} in input pixels. */
    static float[] box(PreparedSample s, SplittableRandom random, double jitter) {
        int size = s.size();
        byte[] m = s.inputMask();
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < s.validHeight(); y++) {
            for (int x = 0; x < s.validWidth(); x++) {
                if (m[y * size + x] != 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int maxX = s.validWidth() - 1;
        int maxY = s.validHeight() - 1;
        if (x1 < 0) {
            return new float[] {0, 0, maxX, maxY};
        }
        if (random == null || jitter <= 0) {
            return new float[] {x0, y0, x1, y1};
        }
        double limit = MAX_SHIFT_AT_1024 * size / 1024.0;
        double w = x1 - x0 + 1;
        double h = y1 - y0 + 1;
        double nx0 = clamp(x0 + noise(random, jitter * w, limit), 0, maxX);
        double ny0 = clamp(y0 + noise(random, jitter * h, limit), 0, maxY);
        double nx1 = clamp(x1 + noise(random, jitter * w, limit), 0, maxX);
        double ny1 = clamp(y1 + noise(random, jitter * h, limit), 0, maxY);
        return new float[] {(float) Math.min(nx0, nx1), (float) Math.min(ny0, ny1), (float) Math.max(nx0, nx1),
            (float) Math.max(ny0, ny1)};
    }

    /** {@code {x, y, label}} in input pixels. */
    static float[] point(PreparedSample s, SplittableRandom random) {
        int size = s.size();
        int h = s.validHeight();
        int w = s.validWidth();
        byte[] m = s.inputMask();
        boolean[] fg = new boolean[h * w];
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (m[y * size + x] != 0) {
                    fg[y * w + x] = true;
                    count++;
                }
            }
        }
        if (count == 0) {
            if (random == null) {
                return new float[] {w / 2, h / 2, 0};
            }
            return new float[] {random.nextInt(w), random.nextInt(h), 0};
        }
        int chosen;
        if (random != null) {
            int k = random.nextInt(count);
            chosen = -1;
            for (int i = 0; i < fg.length; i++) {
                if (fg[i] && k-- == 0) {
                    chosen = i;
                    break;
                }
            }
        } else {
            boolean[] bg = new boolean[fg.length];
            for (int i = 0; i < fg.length; i++) {
                bg[i] = !fg[i];
            }
            double[] depth = SegmentationMetrics.distanceTransform(bg, h, w);
            chosen = 0;
            for (int i = 1; i < depth.length; i++) {
                if (fg[i] && (!fg[chosen] || depth[i] > depth[chosen])) {
                    chosen = i;
                }
            }
        }
        return new float[] {chosen % w, chosen / w, 1};
    }

    private static double noise(SplittableRandom random, double std, double limit) {
        double n = nextGaussian(random) * std;
        return Math.max(-limit, Math.min(limit, n));
    }

    /** A standard normal draw (Box–Muller), the same on every JVM. */
    private static double nextGaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : v > hi ? hi : v;
    }
}
