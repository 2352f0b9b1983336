package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.distance;
import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** FedMedian, trimmed mean, Krum and Multi-Krum against hand-computed values and under attack. */
class RobustStrategiesTest {

    private static ParameterSet w(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return ParameterSet.builder().add("w", new int[] {v.length}, f).build();
    }

    private static ParameterSet aggregate(String id, Map<String, ?> settings, ParameterSet global, FitResult... r) {
        return Strategies.open(id, settings).aggregateFit(1, global, List.of(r), List.of());
    }

    // a=[1,5,-2] b=[2,-1,0] c=[9,3,1] d=[0,4,4] e=[-4,10,2]
    private static final FitResult A = fit("a", 1, w(1, 5, -2));
    private static final FitResult B = fit("b", 7, w(2, -1, 0));
    private static final FitResult C = fit("c", 1, w(9, 3, 1));
    private static final FitResult D = fit("d", 3, w(0, 4, 4));
    private static final FitResult E = fit("e", 1, w(-4, 10, 2));

    @Test
    void medianOfOddAndEvenCounts() {
        ParameterSet g = w(0, 0, 0);
        // columns sorted: [1,2,9] [-1,3,5] [-2,0,1]
        assertArrayEquals(new float[] {2, 3, 0}, flat(aggregate("fedmedian", Map.of(), g, A, B, C)));
        // [0,1,2,9] [-1,3,4,5] [-2,0,1,4]: means of the middle pairs; sample counts do not matter
        assertArrayEquals(new float[] {1.5f, 3.5f, 0.5f}, flat(aggregate("fedmedian", Map.of(), g, D, C, B, A)));
    }

    @Test
    void trimmedMeanCutsFloorBetaNAtEachEnd() {
        ParameterSet g = w(0, 0, 0);
        // n=5, beta 0.2: cut 1 each end of [-4,0,1,2,9] [-1,3,4,5,10] [-2,0,1,2,4] -> means of the middle three
        assertArrayEquals(new float[] {1, 4, 1}, flat(aggregate("trimmedmean", Map.of("beta", 0.2), g, A, B, C, D, E)),
                1e-6f);
        // the default beta 0.2 (Flower's) cuts as much
        assertArrayEquals(new float[] {1, 4, 1}, flat(aggregate("trimmedmean", Map.of(), g, A, B, C, D, E)), 1e-6f);
        // beta 0.1: floor(0.5) = 0 cut, the plain unweighted mean; and beta 0.2 below 5 sites cuts nothing either
        assertArrayEquals(new float[] {1.6f, 4.2f, 1f},
                flat(aggregate("trimmedmean", Map.of("beta", 0.1), g, A, B, C, D, E)), 1e-6f);
        assertArrayEquals(new float[] {3, 2.75f, 0.75f}, flat(aggregate("trimmedmean", Map.of(), g, A, B, C, D)),
                1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Strategies.open("trimmedmean", Map.of("beta", 0.5)));
    }

    @Test
    void trimmedMeanAndMedianMatchSortingEveryCoordinateAcrossBlocks() {
        Random random = new Random(7);
        int n = 7;
        int size = 2500;
        List<FitResult> results = new ArrayList<>();
        float[][] x = new float[n][size];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < size; k++) {
                x[i][k] = (float) random.nextGaussian();
            }
            results.add(fit("site" + i, 1 + i, ParameterSet.builder().add("w", new int[] {50, 50}, x[i]).build()));
        }
        float[] median = new float[size];
        float[] trimmed = new float[size];
        for (int k = 0; k < size; k++) {
            float[] col = new float[n];
            for (int i = 0; i < n; i++) {
                col[i] = x[i][k];
            }
            Arrays.sort(col);
            median[k] = col[3];
            trimmed[k] = (col[2] + col[3] + col[4]) / 3f;
        }
        ParameterSet g = ParameterSet.builder().add("w", new int[] {50, 50}, new float[size]).build();
        FitResult[] rs = results.toArray(FitResult[]::new);
        assertArrayEquals(median, flat(aggregate("fedmedian", Map.of(), g, rs)));
        assertArrayEquals(trimmed, flat(aggregate("trimmedmean", Map.of("beta", "0.3"), g, rs)), 1e-6f);
    }

    /*
     * 1-D points a=0 b=1 c=2.5 d=3 e=100, n=5, f=1: n-f-2 = 2 nearest neighbours (squared distances)
     *   a: 1 + 6.25 = 7.25   b: 1 + 2.25 = 3.25   c: 0.25 + 2.25 = 2.5   d: 0.25 + 4 = 4.25   e: 97² + 97.5²
     * Krum picks c; Multi-Krum m=3 averages c, b, d.
     */
    private static final List<FitResult> POINTS = List.of(fit("a", 4, w(0)), fit("b", 2, w(1)), fit("c", 1, w(2.5)),
            fit("d", 1, w(3)), fit("e", 10, w(100)));

    @Test
    void krumPicksTheSiteClosestToItsNeighbours() {
        StrategySession s = Strategies.open("krum", Map.of("f", 1));
        ParameterSet next = s.aggregateFit(1, w(0), POINTS, List.of());
        assertArrayEquals(new float[] {2.5f}, flat(next));
        assertTrue(next.get("w").values() != POINTS.get(2).parameters().get("w").values(),
                "a copy, not the site's array");
    }

    @Test
    void multiKrumAveragesTheMBestScored() {
        // weighted by samples: (1·2.5 + 2·1 + 1·3) / 4
        assertArrayEquals(new float[] {1.875f},
                flat(Strategies.open("multikrum", Map.of("f", 1, "m", 3)).aggregateFit(1, w(0), POINTS, List.of())));
        assertArrayEquals(new float[] {6.5f / 3}, flat(Strategies.open("multikrum",
                Map.of("f", 1, "m", 3, "weighted", false)).aggregateFit(1, w(0), POINTS, List.of())), 1e-6f);
        // m = 0: n - f = 4 best (c, b, d, a): (2.5 + 2 + 3 + 0) / 8
        assertArrayEquals(new float[] {0.9375f},
                flat(Strategies.open("multikrum", Map.of("f", 1)).aggregateFit(1, w(0), POINTS, List.of())));
    }

    /*
     * f=2 with n=5 <= 2f+2 goes on as Flower does, with max(1, n-f-2) = 1 neighbour:
     *   a: 1   b: 1   c: 0.25   d: 0.25   e: 97²; c and d tie, the first by site id (c) is chosen.
     * One site alone scores 0 and is chosen; two sites score their distance, the first by id wins.
     */
    @Test
    void krumGoesOnWithFewSitesAsFlowerDoes() {
        assertArrayEquals(new float[] {2.5f},
                flat(Strategies.open("krum", Map.of("f", 2)).aggregateFit(3, w(0), POINTS, List.of())));
        assertArrayEquals(new float[] {100f}, flat(Strategies.open("krum", Map.of("f", 1)).aggregateFit(1, w(0),
                List.of(POINTS.get(4)), List.of())));
        assertArrayEquals(new float[] {1f}, flat(Strategies.open("krum", Map.of("f", 1)).aggregateFit(1, w(0),
                List.of(POINTS.get(3), POINTS.get(1)), List.of())));
        assertEquals(1, Strategies.get("krum").minimumSites(Map.of("f", 3)));
        // multikrum m=0 keeps n-f: 2 of 3 here; 4 with f=3 leaves none
        assertEquals(4, Strategies.get("multikrum").minimumSites(Map.of("f", 3)));
        assertEquals(2, Strategies.get("multikrum").minimumSites(Map.of("f", 3, "m", 2)));
        String m = assertThrows(AggregationException.class, () -> Strategies.open("multikrum", Map.of("f", 3))
                .aggregateFit(2, w(0), POINTS.subList(0, 3), List.of())).getMessage();
        assertTrue(m.contains("round 2") && m.contains("m=0") && m.contains("n=3") && m.contains("f=3"), m);
    }

    @Test
    void multiKrumRefusesMoreThanItGot() {
        String m2 = assertThrows(AggregationException.class, () -> Strategies.open("multikrum", Map.of("f", 1, "m", 6))
                .aggregateFit(1, w(0), POINTS, List.of())).getMessage();
        assertTrue(m2.contains("m=6"), m2);
    }

    /** How the two Byzantine sites of eight attack. */
    enum Attack {
        SCALED_AND_FLIPPED(100, -10), BOTH_SCALED(100, 100), BOTH_FLIPPED(-10, -10);

        final double first;
        final double second;

        Attack(double first, double second) {
            this.first = first;
            this.second = second;
        }
    }

    @ParameterizedTest
    @EnumSource(Attack.class)
    void robustStrategiesStayNearTheHonestMeanWhileFedAvgDoesNot(Attack attack) {
        Random random = new Random(42);
        ParameterSet global = Strategies.randomSet(random, 20, 40);
        ParameterSet update = Strategies.randomSet(random, 20, 40);
        List<FitResult> results = new ArrayList<>();
        List<ParameterSet> honest = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ParameterSet noise = Strategies.randomSet(random, 20, 40);
            ParameterSet p = combine(global, 1, update, 0.01, noise);
            honest.add(p);
            results.add(fit("honest-" + i, 100, p));
        }
        results.add(fit("byzantine-1", 100, combine(global, attack.first, update, 0, update)));
        results.add(fit("byzantine-2", 100, combine(global, attack.second, update, 0, update)));
        ParameterSet honestMean = mean(honest);
        double scale = distance(honestMean, global);

        Map<String, Map<String, ?>> robust = Map.of("fedmedian", Map.of(), "trimmedmean", Map.of("beta", 0.25),
                "krum", Map.of("f", 2), "multikrum", Map.of("f", 2));
        for (Map.Entry<String, Map<String, ?>> e : robust.entrySet()) {
            ParameterSet r = Strategies.open(e.getKey(), e.getValue()).aggregateFit(1, global, results, List.of());
            double d = distance(r, honestMean);
            assertTrue(d < 0.05 * scale, e.getKey() + " under " + attack + ": distance " + d + " to the honest mean, "
                    + "honest update norm " + scale);
        }
        ParameterSet avg = Strategies.open("fedavg", Map.of()).aggregateFit(1, global, results, List.of());
        double d = distance(avg, honestMean);
        assertTrue(d > 1.5 * scale, "fedavg under " + attack + ": distance " + d + ", honest update norm " + scale);
    }

    /** {@code base + a·u + b·v} per value. */
    private static ParameterSet combine(ParameterSet base, double a, ParameterSet u, double b, ParameterSet v) {
        ParameterSet.Builder out = ParameterSet.builder();
        for (Tensor t : base.tensors()) {
            float[] x = t.values();
            float[] y = u.get(t.name()).values();
            float[] z = v.get(t.name()).values();
            float[] r = new float[x.length];
            for (int k = 0; k < r.length; k++) {
                r[k] = (float) (x[k] + a * y[k] + b * z[k]);
            }
            out.add(Tensor.of(t.name(), t.shape(), r));
        }
        return out.build();
    }

    private static ParameterSet mean(List<ParameterSet> sets) {
        ParameterSet.Builder out = ParameterSet.builder();
        for (Tensor t : sets.get(0).tensors()) {
            float[] r = new float[t.size()];
            for (int k = 0; k < r.length; k++) {
                double s = 0;
                for (ParameterSet p : sets) {
                    s += p.get(t.name()).values()[k];
                }
                r[k] = (float) (s / sets.size());
            }
            out.add(Tensor.of(t.name(), t.shape(), r));
        }
        return out.build();
    }

    @Test
    void holdsEachSiteOnce() {
        var agg = Strategies.open("fedmedian", Map.of()).beginRound(1, w(0, 0, 0));
        agg.accept(A);
        String m = assertThrows(AggregationException.class, () -> agg.accept(fit("a", 1, w(7, 7, 7)))).getMessage();
        assertTrue(m.contains("site a") && m.contains("second update"), m);
        assertEquals(1, agg.accepted());
    }
}
