package org.fedfms.data.metrics;

/**
 * Surfaces of binary masks and exact Euclidean distances to them on an anisotropic voxel grid.
 * A surface is the set of voxels that a binary erosion removes: with the 6-neighbourhood in 3-D (the
 * 4-neighbourhood when the grid is one slice thick), voxels outside the grid counting as background
 * (SciPy's {@code binary_erosion} with its default {@code border_value=0}). Distances are the squared
 * Euclidean distance transform of Felzenszwalb and Huttenlocher, separable along x, y, z, with the voxel
 * spacing as the unit of each axis ({@code distance_transform_edt(..., sampling=spacing)}).
 */
final class SurfaceDistances {

    private SurfaceDistances() {
    }

    /** The surface of {@code mask} on an {@code nx × ny × nz} grid (index {@code x + nx·(y + ny·z)}). */
    static boolean[] surface(boolean[] mask, int nx, int ny, int nz) {
        boolean[] s = new boolean[mask.length];
        boolean flat = nz == 1;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int i = x + nx * (y + ny * z);
                    if (!mask[i]) {
                        continue;
                    }
                    boolean interior = x > 0 && mask[i - 1] && x < nx - 1 && mask[i + 1]
                            && y > 0 && mask[i - nx] && y < ny - 1 && mask[i + nx]
                            && (flat || (z > 0 && mask[i - nx * ny] && z < nz - 1 && mask[i + nx * ny]));
                    s[i] = !interior;
                }
            }
        }
        return s;
    }

    /** Squared distance in mm² from every voxel to the nearest voxel of {@code to} (infinite if none). */
    static double[] squaredDistance(boolean[] to, int nx, int ny, int nz, double[] spacing) {
        double[] d = new double[to.length];
        for (int i = 0; i < to.length; i++) {
            d[i] = to[i] ? 0 : Double.POSITIVE_INFINITY;
        }
        int[] n = {nx, ny, nz};
        int[] stride = {1, nx, nx * ny};
        for (int axis = 0; axis < 3; axis++) {
            int len = n[axis];
            if (len == 1) {
                continue;
            }
            double[] f = new double[len];
            double[] out = new double[len];
            int[] v = new int[len];
            double[] zb = new double[len + 1];
            int a = (axis + 1) % 3;
            int b = (axis + 2) % 3;
            for (int ib = 0; ib < n[b]; ib++) {
                for (int ia = 0; ia < n[a]; ia++) {
                    int base = ia * stride[a] + ib * stride[b];
                    for (int k = 0; k < len; k++) {
                        f[k] = d[base + k * stride[axis]];
                    }
                    if (envelope(f, len, spacing[axis], v, zb, out)) {
                        for (int k = 0; k < len; k++) {
                            d[base + k * stride[axis]] = out[k];
                        }
                    }
                }
            }
        }
        return d;
    }

    /** One 1-D pass: out[p] = min_q ((p-q)·h)² + f[q]; false if every f is infinite (nothing changes). */
    private static boolean envelope(double[] f, int len, double h, int[] v, double[] zb, double[] out) {
        int k = -1;
        for (int q = 0; q < len; q++) {
            if (f[q] == Double.POSITIVE_INFINITY) {
                continue;
            }
            double xq = q * h;
            while (k >= 0) {
                double xv = v[k] * h;
                double s = ((f[q] + xq * xq) - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
                if (s <= zb[k]) {
                    k--;
                } else {
                    k++;
                    v[k] = q;
                    zb[k] = s;
                    zb[k + 1] = Double.POSITIVE_INFINITY;
                    break;
                }
            }
            if (k < 0) {
                k = 0;
                v[0] = q;
                zb[0] = Double.NEGATIVE_INFINITY;
                zb[1] = Double.POSITIVE_INFINITY;
            }
        }
        if (k < 0) {
            return false;
        }
        int j = 0;
        for (int p = 0; p < len; p++) {
            double xp = p * h;
            while (zb[j + 1] < xp) {
                j++;
            }
            double dx = xp - v[j] * h;
            out[p] = dx * dx + f[v[j]];
        }
        return true;
    }
}
