package org.fedfms.strategy.krum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.UpdateCheck;

/**
 * Krum's scoring (Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant Gradient
 * Descent", NeurIPS 2017): each update's score is the sum of its squared L2 distances to its
 * {@code n − f − 2} nearest other updates; low scores lie in the dense honest cluster. The guarantee needs
 * {@code n > 2f + 2}; with fewer updates it goes on as Flower does, with {@code max(1, n − f − 2)} neighbours
 * (all others when there are fewer; a single update scores 0).
 *
 * <p>Holds the round's updates as references (no copies); distances are computed block by block so
 * every update is read once.
 */
final class KrumSelection {

    private static final int BLOCK = 2048;

    private final int round;
    private final ParameterSet global;
    private final Map<String, FitResult> results = new LinkedHashMap<>();

    KrumSelection(int round, ParameterSet global) {
        this.round = round;
        this.global = global;
    }

    void accept(FitResult result) {
        UpdateCheck.check(global, result);
        if (results.containsKey(result.siteId())) {
            throw new AggregationException("site " + result.siteId() + ": a second update in round " + round
                    + "; only the first one counts");
        }
        results.put(result.siteId(), result);
    }

    int accepted() {
        return results.size();
    }

    /** A scored update. */
    record Scored(FitResult result, double score) {
    }

    /**
     * The updates ordered by score, best first (ties by site id).
     *
     * @param f assumed number of Byzantine sites
     * @throws AggregationException if nothing arrived
     */
    List<Scored> ranked(int f) {
        List<FitResult> sites = sites();
        double[][] d = squaredDistances(sites);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            all.add(i);
        }
        List<Scored> scored = new ArrayList<>(sites.size());
        for (int i : all) {
            scored.add(new Scored(sites.get(i), score(d, i, all, f)));
        }
        scored.sort(Comparator.comparingDouble(Scored::score));
        return scored;
    }

    /**
     * The round's updates in site-id order.
     *
     * @throws AggregationException if nothing arrived
     */
    List<FitResult> sites() {
        if (results.isEmpty()) {
            throw AggregationException.nothingDelivered(round);
        }
        List<FitResult> sites = new ArrayList<>(results.values());
        sites.sort(Comparator.comparing(FitResult::siteId));
        return sites;
    }

    /**
     * Krum's score of update {@code i} among {@code candidates} (indices into {@code d}, {@code i} one of them): the
     * sum of its squared distances to its {@code max(1, k − f − 2)} nearest other candidates, {@code k} candidates.
     */
    static double score(double[][] d, int i, List<Integer> candidates, int f) {
        int k = candidates.size();
        int neighbours = Math.min(k - 1, Math.max(1, k - f - 2));
        double[] others = new double[k - 1];
        int c = 0;
        for (int j : candidates) {
            if (j != i) {
                others[c++] = d[i][j];
            }
        }
        Arrays.sort(others);
        double score = 0;
        for (int m = 0; m < neighbours; m++) {
            score += others[m];
        }
        return score;
    }

    /** The squared L2 distances between every two of {@code sites}. */
    double[][] squaredDistances(List<FitResult> sites) {
        int n = sites.size();
        double[][] d = new double[n][n];
        float[][] x = new float[n][];
        for (Tensor t : global.tensors()) {
            for (int i = 0; i < n; i++) {
                x[i] = sites.get(i).parameters().get(t.name()).values();
            }
            int size = t.size();
            for (int off = 0; off < size; off += BLOCK) {
                int end = Math.min(size, off + BLOCK);
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        double s = squaredDistance(x[i], x[j], off, end);
                        d[i][j] += s;
                        d[j][i] += s;
                    }
                }
            }
        }
        return d;
    }

    private static double squaredDistance(float[] a, float[] b, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = from;
        for (; k + 3 < to; k += 4) {
            float e0 = a[k] - b[k];
            float e1 = a[k + 1] - b[k + 1];
            float e2 = a[k + 2] - b[k + 2];
            float e3 = a[k + 3] - b[k + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
        }
        for (; k < to; k++) {
            float e = a[k] - b[k];
            s0 += e * e;
        }
        return (double) s0 + s1 + s2 + s3;
    }

    void clear() {
        results.clear();
    }
}
