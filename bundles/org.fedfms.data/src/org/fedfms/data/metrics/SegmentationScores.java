package org.fedfms.data.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.fedfms.api.data.LabelScores;

/**
 * Per-case segmentation metrics as clinicians read them, on label volumes with a voxel spacing in
 * millimetres (2-D images: one slice, spacing 1 unless given).
 *
 * <ul>
 * <li>Dice 2|P∩T| / (|P| + |T|) and IoU |P∩T| / |P∪T| of a label's voxels.
 * <li>Surfaces: the voxels that a binary erosion with the 3-D 6-neighbourhood removes (4-neighbourhood
 * for one slice), the grid's outside counting as background.
 * <li>Distances: from each surface voxel of one mask to the nearest surface voxel of the other, in both
 * directions, pooled. HD95 is their 95th percentile, linearly interpolated (NumPy's default
 * {@code percentile}); ASSD is their mean.
 * <li>A label absent from both prediction and truth scores NaN in all four (left out of means, counted).
 * Absent from one only: Dice and IoU 0, HD95 and ASSD the grid's diagonal in millimetres.
 * </ul>
 */
public final class SegmentationScores {

    private SegmentationScores() {
    }

    /**
     * Scores one label of a case.
     *
     * @param prediction label values of the prediction, index {@code x + nx·(y + ny·z)}
     * @param truth label values of the ground truth, same layout
     * @param size {@code {nx, ny, nz}}
     * @param spacing voxel size {@code {dx, dy, dz}} in millimetres
     */
    public static LabelScores score(int label, int[] prediction, int[] truth, int[] size, double[] spacing) {
        int n = size[0] * size[1] * size[2];
        if (prediction.length != n || truth.length != n) {
            throw new IllegalArgumentException("prediction has " + prediction.length + " voxels, truth "
                    + truth.length + ", the grid " + size[0] + "x" + size[1] + "x" + size[2] + " " + n);
        }
        boolean[] p = new boolean[n];
        boolean[] t = new boolean[n];
        long np = 0;
        long nt = 0;
        long both = 0;
        for (int i = 0; i < n; i++) {
            p[i] = prediction[i] == label;
            t[i] = truth[i] == label;
            np += p[i] ? 1 : 0;
            nt += t[i] ? 1 : 0;
            both += p[i] && t[i] ? 1 : 0;
        }
        if (np == 0 && nt == 0) {
            return new LabelScores(label, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double dice = 2.0 * both / (np + nt);
        double iou = (double) both / (np + nt - both);
        if (np == 0 || nt == 0) {
            double diagonal = diagonal(size, spacing);
            return new LabelScores(label, 0, 0, diagonal, diagonal);
        }
        double[] pooled = pooledDistances(p, t, size, spacing);
        return new LabelScores(label, dice, iou, percentile(pooled, 95), mean(pooled));
    }

    /** Scores every label of {@code labels} for one case. */
    public static List<LabelScores> score(int[] labels, int[] prediction, int[] truth, int[] size, double[] spacing) {
        List<LabelScores> l = new ArrayList<>();
        for (int label : labels) {
            l.add(score(label, prediction, truth, size, spacing));
        }
        return l;
    }

    /** The grid's diagonal in millimetres: the score of a surface distance when one mask is empty. */
    public static double diagonal(int[] size, double[] spacing) {
        double s = 0;
        for (int a = 0; a < 3; a++) {
            double len = size[a] * spacing[a];
            s += len * len;
        }
        return Math.sqrt(s);
    }

    /** The distances of every surface voxel of each mask to the other mask's surface, both directions. */
    static double[] pooledDistances(boolean[] p, boolean[] t, int[] size, double[] spacing) {
        boolean[] sp = SurfaceDistances.surface(p, size[0], size[1], size[2]);
        boolean[] st = SurfaceDistances.surface(t, size[0], size[1], size[2]);
        double[] toT = SurfaceDistances.squaredDistance(st, size[0], size[1], size[2], spacing);
        double[] toP = SurfaceDistances.squaredDistance(sp, size[0], size[1], size[2], spacing);
        int count = 0;
        for (int i = 0; i < sp.length; i++) {
            count += (sp[i] ? 1 : 0) + (st[i] ? 1 : 0);
        }
        double[] d = new double[count];
        int k = 0;
        for (int i = 0; i < sp.length; i++) {
            if (sp[i]) {
                d[k++] = Math.sqrt(toT[i]);
            }
        }
        for (int i = 0; i < st.length; i++) {
            if (st[i]) {
                d[k++] = Math.sqrt(toP[i]);
            }
        }
        return d;
    }

    /** NumPy's default percentile: linear interpolation between the closest ranks. */
    public static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double rank = q / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (rank - lo) * (s[hi] - s[lo]);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
