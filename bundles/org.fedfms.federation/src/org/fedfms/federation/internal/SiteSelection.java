package org.fedfms.federation.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses the sites of a round: {@code max(minSites, ceil(fraction × n))} of the {@code n} candidates,
 * drawn by a generator seeded from the experiment seed and the round number alone, so that a resumed
 * experiment draws exactly what an uninterrupted one draws. The chosen sites keep the candidates' order.
 */
public final class SiteSelection {

    private SiteSelection() {
    }

    /** How many of {@code n} candidates a round chooses. */
    public static int count(int n, double fraction, int minSites) {
        int k = (int) Math.ceil(fraction * n - 1e-9);
        return Math.min(n, Math.max(minSites, Math.max(k, 1)));
    }

    /** The chosen candidates, in the candidates' order. */
    public static <T> List<T> select(List<T> candidates, long seed, int round, double fraction, int minSites) {
        int n = candidates.size();
        int k = count(n, fraction, minSites);
        if (k >= n) {
            return List.copyOf(candidates);
        }
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + round);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, k);
        Arrays.sort(chosen);
        List<T> out = new ArrayList<>(k);
        for (int i : chosen) {
            out.add(candidates.get(i));
        }
        return out;
    }
}
