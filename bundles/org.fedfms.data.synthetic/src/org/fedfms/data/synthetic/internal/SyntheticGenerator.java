package org.fedfms.data.synthetic.internal;

import java.util.SplittableRandom;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.data.ImageResize;

/**
 * Renders medical-looking 2D slices with masks from a seed and an index alone, so nothing is held:
 * a body outline with tissue texture, an organ with an irregular boundary and partial-volume (soft)
 * edges, sometimes a darker lesion inside it, then the site's blur, resolution loss and noise.
 * Consecutive samples of a case are slices through the same anatomy.
 */
public final class SyntheticGenerator {

    private static final double EDGE_PIXELS = 1.2;
    private static final int COARSE_GRID = 7;
    private static final int FINE_GRID = 13;

    private final int size;
    private final int classes;
    private final int slicesPerCase;
    private final long seed;

    /**
     * @param size image height and width
     * @param classes 2 (organ) or 3 (organ and lesion)
     * @param slicesPerCase consecutive samples that are slices of one case
     * @param seed seed of the whole dataset
     */
    public SyntheticGenerator(int size, int classes, int slicesPerCase, long seed) {
        if (size < 8 || classes < 2 || classes > 3 || slicesPerCase < 1) {
            throw new IllegalArgumentException("bad synthetic generator: size " + size + ", classes " + classes
                    + ", slicesPerCase " + slicesPerCase);
        }
        this.size = size;
        this.classes = classes;
        this.slicesPerCase = slicesPerCase;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    /** The case that sample {@code index} belongs to. */
    public int caseOf(int index) {
        return index / slicesPerCase;
    }

    /** The class a sample shows, without rendering it: 2 with a lesion (3 classes), 1 with an organ, else 0. */
    public int label(SiteDomain domain, int site, int index) {
        Anatomy a = anatomy(domain, site, index);
        if (!a.organ) {
            return 0;
        }
        return classes == 3 && a.lesion ? 2 : 1;
    }

    /** Renders sample {@code index} of site {@code site}. */
    public LabeledImage render(SiteDomain domain, int site, int index) {
        Anatomy a = anatomy(domain, site, index);
        SplittableRandom random = new SplittableRandom(mix(mix(seed, site + 1), 0x5EED0000L + index));
        int m = Math.max(8, (int) Math.round(size * domain.resolution()));
        double[] coarse = grid(random, COARSE_GRID);
        double[] fine = grid(random, FINE_GRID);
        float[] gray = new float[m * m];
        byte[] mask = m == size ? new byte[size * size] : null;
        double air = 0.08 * domain.background();
        double organ = Math.min(235, domain.background() + domain.contrast());
        double lesion = organ - 0.55 * domain.contrast();
        double edge = EDGE_PIXELS / m;
        for (int y = 0; y < m; y++) {
            double v = (y + 0.5) / m;
            for (int x = 0; x < m; x++) {
                double u = (x + 0.5) / m;
                double texture = 10 * lerpGrid(coarse, COARSE_GRID, u, v) + 5 * lerpGrid(fine, FINE_GRID, u, v);
                double body = coverage(a.body.distance(u, v), edge);
                double value = air + (domain.background() + texture - air) * body;
                int label = 0;
                if (a.organ && a.organShape.near(u, v, 2 * edge)) {
                    double d = a.organShape.distance(u, v);
                    if (d > -2 * edge) {
                        double cov = coverage(d, edge);
                        value += (organ + 0.6 * texture - value) * cov;
                        label = d > 0 ? 1 : 0;
                        if (a.lesion) {
                            double dl = a.lesionShape.distance(u, v);
                            if (dl > -2 * edge) {
                                value += (lesion + 0.4 * texture - value) * coverage(dl, edge);
                                if (dl > 0 && d > 0) {
                                    label = classes == 3 ? 2 : 1;
                                }
                            }
                        }
                    }
                }
                gray[y * m + x] = (float) value;
                if (mask != null) {
                    mask[y * m + x] = (byte) label;
                }
            }
        }
        for (int p = 0; p < domain.blurPasses(); p++) {
            boxBlur(gray, m);
        }
        if (m != size) {
            gray = ImageResize.bilinear(gray, m, m, 1, size, size);
            mask = hardMask(a);
        }
        float[] rgb = new float[size * size * 3];
        double sigma = domain.noiseSigma();
        for (int i = 0, o = 0; i < gray.length; i++, o += 3) {
            double val = gray[i] + sigma * random.nextGaussian();
            float f = (float) (val < 0 ? 0 : val > 255 ? 255 : val);
            rgb[o] = f;
            rgb[o + 1] = f;
            rgb[o + 2] = f;
        }
        return new LabeledImage(size, size, 3, rgb, mask);
    }

    private byte[] hardMask(Anatomy a) {
        byte[] mask = new byte[size * size];
        if (!a.organ) {
            return mask;
        }
        for (int y = 0; y < size; y++) {
            double v = (y + 0.5) / size;
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size;
                if (a.organShape.distance(u, v) > 0) {
                    boolean inLesion = a.lesion && a.lesionShape.distance(u, v) > 0;
                    mask[y * size + x] = (byte) (inLesion && classes == 3 ? 2 : 1);
                }
            }
        }
        return mask;
    }

    private Anatomy anatomy(SiteDomain domain, int site, int index) {
        int caseIndex = caseOf(index);
        int slice = index % slicesPerCase;
        SplittableRandom r = new SplittableRandom(mix(mix(seed, site + 1), caseIndex));
        double z = slicesPerCase == 1 ? 0 : -0.8 + 1.6 * slice / (slicesPerCase - 1);
        Anatomy a = new Anatomy();
        a.body = new Shape(0.5 + 0.02 * r.nextGaussian(), 0.5 + 0.02 * r.nextGaussian(), 0.46, 0.40,
                0.05 * r.nextGaussian(), r, 0.02);
        a.organ = r.nextDouble() < domain.organRate();
        boolean lesionCase = r.nextDouble() < domain.lesionRate();
        double fov = domain.fieldOfView();
        double organScale = Math.sqrt(1 - 0.75 * z * z);
        double cx = 0.5 + 0.06 * r.nextGaussian();
        double cy = 0.5 + 0.06 * r.nextGaussian();
        double ra = 0.20 * fov * (0.85 + 0.3 * r.nextDouble()) * organScale;
        double rb = 0.15 * fov * (0.85 + 0.3 * r.nextDouble()) * organScale;
        a.organShape = new Shape(cx, cy, ra, rb, Math.PI * r.nextDouble(), r, 0.08);
        double lesionScale = 1 - 1.5 * z * z;
        a.lesion = lesionCase && lesionScale > 0.3;
        double angle = 2 * Math.PI * r.nextDouble();
        double dist = 0.4 * r.nextDouble();
        double lr = 0.4 * Math.min(ra, rb) * (0.7 + 0.6 * r.nextDouble()) * Math.sqrt(Math.max(lesionScale, 0));
        a.lesionShape = new Shape(cx + dist * ra * Math.cos(angle), cy + dist * rb * Math.sin(angle), lr, lr * 0.9,
                Math.PI * r.nextDouble(), r, 0.12);
        return a;
    }

    private static double coverage(double distance, double edge) {
        double c = distance / edge + 0.5;
        return c < 0 ? 0 : c > 1 ? 1 : c;
    }

    private static double[] grid(SplittableRandom r, int n) {
        double[] g = new double[n * n];
        for (int i = 0; i < g.length; i++) {
            g[i] = 2 * r.nextDouble() - 1;
        }
        return g;
    }

    private static double lerpGrid(double[] g, int n, double u, double v) {
        double gx = u * (n - 1);
        double gy = v * (n - 1);
        int x0 = (int) gx;
        int y0 = (int) gy;
        int x1 = Math.min(n - 1, x0 + 1);
        int y1 = Math.min(n - 1, y0 + 1);
        double fx = gx - x0;
        double fy = gy - y0;
        double top = g[y0 * n + x0] + (g[y0 * n + x1] - g[y0 * n + x0]) * fx;
        double bottom = g[y1 * n + x0] + (g[y1 * n + x1] - g[y1 * n + x0]) * fx;
        return top + (bottom - top) * fy;
    }

    private static void boxBlur(float[] img, int n) {
        float[] tmp = new float[img.length];
        for (int y = 0; y < n; y++) {
            int row = y * n;
            for (int x = 0; x < n; x++) {
                float l = img[row + Math.max(0, x - 1)];
                float r = img[row + Math.min(n - 1, x + 1)];
                tmp[row + x] = (l + img[row + x] + r) / 3f;
            }
        }
        for (int y = 0; y < n; y++) {
            int up = Math.max(0, y - 1) * n;
            int down = Math.min(n - 1, y + 1) * n;
            int row = y * n;
            for (int x = 0; x < n; x++) {
                img[row + x] = (tmp[up + x] + tmp[row + x] + tmp[down + x]) / 3f;
            }
        }
    }

    /** SplitMix64 of a combined with b: well-spread seeds from small integers. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final class Anatomy {
        Shape body;
        boolean organ;
        Shape organShape;
        boolean lesion;
        Shape lesionShape;
    }

    /**
     * A rotated ellipse whose radius is modulated by harmonics 2, 3 and 5 of the polar angle: a blob
     * with an irregular boundary.
     */
    private static final class Shape {
        final double cx;
        final double cy;
        final double a;
        final double b;
        final double cos;
        final double sin;
        final double minRadius;
        final double maxRadius;
        final double[] amp = new double[3];
        final double[] phaseCos = new double[3];
        final double[] phaseSin = new double[3];

        Shape(double cx, double cy, double a, double b, double rotation, SplittableRandom r, double irregularity) {
            this.cx = cx;
            this.cy = cy;
            this.a = Math.max(a, 1e-3);
            this.b = Math.max(b, 1e-3);
            this.cos = Math.cos(rotation);
            this.sin = Math.sin(rotation);
            this.minRadius = Math.min(this.a, this.b);
            double sumAmp = 0;
            for (int h = 0; h < 3; h++) {
                amp[h] = irregularity * r.nextDouble();
                sumAmp += amp[h];
                double phase = 2 * Math.PI * r.nextDouble();
                phaseCos[h] = Math.cos(phase);
                phaseSin[h] = Math.sin(phase);
            }
            this.maxRadius = Math.max(this.a, this.b) * (1 + sumAmp);
        }

        /** Whether (u, v) may lie within {@code margin} of the shape (a bounding-box test). */
        boolean near(double u, double v, double margin) {
            double reach = maxRadius + margin;
            return Math.abs(u - cx) <= reach && Math.abs(v - cy) <= reach;
        }

        /** Approximate signed distance to the boundary in image units: positive inside. */
        double distance(double u, double v) {
            double dx = u - cx;
            double dy = v - cy;
            double p = (dx * cos + dy * sin) / a;
            double q = (-dx * sin + dy * cos) / b;
            double rho = Math.sqrt(p * p + q * q);
            if (rho > 1.6) {
                return (1 - rho) * minRadius;
            }
            if (rho < 1e-9) {
                return minRadius;
            }
            double c1 = p / rho;
            double s1 = q / rho;
            double c2 = c1 * c1 - s1 * s1;
            double s2 = 2 * s1 * c1;
            double c3 = c1 * c2 - s1 * s2;
            double s3 = s1 * c2 + c1 * s2;
            double c5 = c3 * c2 - s3 * s2;
            double s5 = s3 * c2 + c3 * s2;
            double radius = 1 + amp[0] * (c2 * phaseCos[0] - s2 * phaseSin[0])
                    + amp[1] * (c3 * phaseCos[1] - s3 * phaseSin[1])
                    + amp[2] * (c5 * phaseCos[2] - s5 * phaseSin[2]);
            return (radius - rho) * minRadius;
        }
    }
}
