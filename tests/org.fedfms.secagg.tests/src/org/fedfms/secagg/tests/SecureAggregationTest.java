package org.fedfms.secagg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.internal.FixedPoint;
import org.junit.jupiter.api.Test;

class SecureAggregationTest {

    /** The fixed-point error of a mean (2^-25) plus the float rounding of results near 3 in magnitude. */
    private static final double TOLERANCE = 1e-6;

    private final Random data = new Random(19);

    private Map<String, float[]> values(SecAggRun run, int length) {
        Map<String, float[]> values = new HashMap<>();
        for (String s : run.sites.keySet()) {
            float[] v = new float[length];
            for (int i = 0; i < length; i++) {
                v[i] = (float) (data.nextGaussian() * 1.5);
            }
            values.put(s, v);
        }
        return values;
    }

    private Map<String, Long> weights(SecAggRun run) {
        Map<String, Long> weights = new HashMap<>();
        run.sites.keySet().forEach(s -> weights.put(s, 1L + data.nextInt(500)));
        return weights;
    }

    private static double[] plainMean(Map<String, float[]> values, Map<String, Long> weights, List<String> sites) {
        int length = values.get(sites.get(0)).length;
        double[] sum = new double[length];
        long total = 0;
        for (String s : sites) {
            for (int i = 0; i < length; i++) {
                sum[i] += weights.get(s) * (double) values.get(s)[i];
            }
            total += weights.get(s);
        }
        for (int i = 0; i < length; i++) {
            sum[i] /= total;
        }
        return sum;
    }

    private static double maxDifference(float[] secure, double[] plain) {
        double max = 0;
        for (int i = 0; i < plain.length; i++) {
            max = Math.max(max, Math.abs(secure[i] - plain[i]));
        }
        return max;
    }

    private void assertSumOfSurvivors(SecAggRun run, Map<String, float[]> values, Map<String, Long> weights,
            SecureSum sum, int expectedSurvivors) {
        assertEquals(expectedSurvivors, sum.survivors().size());
        long total = sum.survivors().stream().mapToLong(weights::get).sum();
        assertEquals(total, sum.totalWeight());
        double diff = maxDifference(sum.mean(), plainMean(values, weights, sum.survivors()));
        assertTrue(diff < TOLERANCE, "secure mean differs from the plain mean by " + diff);
    }

    @Test
    void secureSumEqualsPlainWeightedMeanWithAllPairs() {
        SecAggRun run = new SecAggRun(5, SecAggSettings.DEFAULT);
        Map<String, float[]> values = values(run, 3000);
        Map<String, Long> weights = weights(run);
        SecureSum sum = run.run(values, weights, Set.of());
        assertSumOfSurvivors(run, values, weights, sum, 5);
        assertEquals(List.of(), sum.dropped());
        assertEquals(3, run.roster.threshold());
    }

    @Test
    void secAggPlusPairsOnlyNeighboursAndStillSumsRight() {
        SecAggRun run = new SecAggRun(10, new SecAggSettings(0, 4));
        Map<String, float[]> values = values(run, 500);
        Map<String, Long> weights = weights(run);
        run.advertiseAndShare();
        for (String s : run.sites.keySet()) {
            assertEquals(4, run.roster.neighbours(s).size(), s);
            for (String v : run.roster.neighbours(s)) {
                assertTrue(run.roster.neighbours(v).contains(s), "pairing is symmetric");
            }
            assertEquals(4, run.routed.get(s).size(), "one sealed share per neighbour for " + s);
        }
        assertEquals(3, run.roster.threshold());
        run.mask(values, weights, Set.of("site-c"));
        SecureSum sum = run.unmask(Set.of(), r -> r);
        assertSumOfSurvivors(run, values, weights, sum, 9);
    }

    @Test
    void oneAndTwoSitesDroppingAfterSharingKeysStillGiveTheSumOfTheRest() {
        for (Set<String> dropped : List.of(Set.of("site-b"), Set.of("site-a", "site-e"))) {
            SecAggRun run = new SecAggRun(5, SecAggSettings.DEFAULT);
            Map<String, float[]> values = values(run, 800);
            Map<String, Long> weights = weights(run);
            SecureSum sum = run.run(values, weights, dropped);
            assertSumOfSurvivors(run, values, weights, sum, 5 - dropped.size());
            assertEquals(Set.copyOf(dropped), Set.copyOf(sum.dropped()));
        }
    }

    @Test
    void aSurvivorSilentWhileUnmaskingIsRebuiltFromTheOthersShares() {
        SecAggRun run = new SecAggRun(5, SecAggSettings.DEFAULT);
        Map<String, float[]> values = values(run, 200);
        Map<String, Long> weights = weights(run);
        run.advertiseAndShare();
        run.mask(values, weights, Set.of("site-d"));
        SecureSum sum = run.unmask(Set.of("site-a"), r -> r);
        assertSumOfSurvivors(run, values, weights, sum, 4);
    }

    @Test
    void belowTheThresholdTheRoundFailsClearly() {
        SecAggRun run = new SecAggRun(5, SecAggSettings.DEFAULT);
        Map<String, float[]> values = values(run, 50);
        Map<String, Long> weights = weights(run);
        run.advertiseAndShare();
        run.mask(values, weights, Set.of("site-a", "site-b", "site-c"));
        SecureAggregationException e = assertThrows(SecureAggregationException.class, () -> run.unmask(Set.of(), r -> r));
        assertTrue(e.getMessage().contains("only 2 masked inputs arrived, fewer than the threshold 3"), e.getMessage());

        SecAggRun late = new SecAggRun(5, SecAggSettings.DEFAULT);
        late.advertiseAndShare();
        late.mask(values(late, 50), weights(late), Set.of("site-a", "site-b"));
        e = assertThrows(SecureAggregationException.class, () -> late.unmask(Set.of("site-c"), r -> r));
        assertTrue(e.getMessage().contains("shares of the self-mask seed of site")
                && e.getMessage().contains("fewer than the threshold 3"), e.getMessage());
    }

    @Test
    void aTamperedSealedShareFailsItsTag() {
        SecAggRun run = new SecAggRun(4, SecAggSettings.DEFAULT);
        run.advertiseAndShare();
        List<SealedShare> forB = run.routed.get("site-b");
        byte[] tampered = forB.get(0).ciphertext().clone();
        tampered[tampered.length / 2] ^= 1;
        List<SealedShare> altered = new java.util.ArrayList<>(forB);
        altered.set(0, new SealedShare(forB.get(0).from(), "site-b", tampered));
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> run.sites.get("site-b").maskInput(run.coordinator.sharers(), altered, new float[4], 1));
        assertTrue(e.getMessage().contains("cannot open the share sealed by '" + forB.get(0).from() + "'")
                && e.getMessage().contains("AES-GCM tag"), e.getMessage());
    }

    @Test
    void aShareOpenedWithTheWrongKeyFailsItsTag() {
        SecAggRun run = new SecAggRun(4, SecAggSettings.DEFAULT);
        run.advertiseAndShare();
        List<SealedShare> forB = new java.util.ArrayList<>(run.routed.get("site-b"));
        List<SealedShare> forC = new java.util.ArrayList<>(run.routed.get("site-c"));
        SealedShare aToB = forB.stream().filter(s -> s.from().equals("site-a")).findFirst().orElseThrow();
        forC.replaceAll(s -> s.from().equals("site-a") ? new SealedShare("site-a", "site-c", aToB.ciphertext()) : s);
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> run.sites.get("site-c").maskInput(run.coordinator.sharers(), forC, new float[4], 1));
        assertTrue(e.getMessage().contains("AES-GCM tag does not verify"), e.getMessage());
    }

    @Test
    void aTamperedRevealedShareNeverGivesASilentlyWrongSum() {
        // exactly the threshold of reveals: the commitment catches the altered seed
        SecAggRun exact = new SecAggRun(3, SecAggSettings.DEFAULT);
        Map<String, float[]> values = values(exact, 100);
        Map<String, Long> weights = weights(exact);
        exact.advertiseAndShare();
        exact.mask(values, weights, Set.of());
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> exact.unmask(Set.of("site-c"), r -> r.site().equals("site-a") ? flipFirst(r) : r));
        assertTrue(e.getMessage().contains("of site 'site-a'") && e.getMessage().contains("a share was altered"),
                e.getMessage());

        // more reveals than the threshold: the extra shares expose the altered one
        SecAggRun more = new SecAggRun(5, SecAggSettings.DEFAULT);
        more.advertiseAndShare();
        more.mask(values(more, 100), weights(more), Set.of("site-e"));
        e = assertThrows(SecureAggregationException.class,
                () -> more.unmask(Set.of(), r -> r.site().equals("site-d") ? flipFirst(r) : r));
        assertTrue(e.getMessage().contains("does not lie on the polynomial of the others")
                && e.getMessage().contains("a share was altered"), e.getMessage());

        // an altered share of a dropped site's masking key is caught by its public key
        SecAggRun key = new SecAggRun(4, new SecAggSettings(3, 0));
        key.advertiseAndShare();
        key.mask(values(key, 100), weights(key), Set.of("site-d"));
        e = assertThrows(SecureAggregationException.class, () -> key.unmask(Set.of(), r -> {
            if (!r.site().equals("site-a")) {
                return r;
            }
            Map<String, byte[]> keys = new HashMap<>(r.keyShares());
            byte[] share = keys.get("site-d").clone();
            share[share.length - 1] ^= 4;
            keys.put("site-d", share);
            return new ShareReveal(r.site(), r.seedShares(), keys);
        }));
        assertTrue(e.getMessage().contains("masking key of") && e.getMessage().contains("site 'site-d'")
                && e.getMessage().contains("a share was altered"), e.getMessage());
    }

    private static ShareReveal flipFirst(ShareReveal r) {
        Map<String, byte[]> seeds = new HashMap<>(r.seedShares());
        String owner = seeds.keySet().stream().sorted().findFirst().orElseThrow();
        byte[] share = seeds.get(owner).clone();
        share[share.length - 1] ^= 1;
        seeds.put(owner, share);
        return new ShareReveal(r.site(), seeds, r.keyShares());
    }

    @Test
    void aSiteRefusesToRevealBothMasksOfOneSite() {
        SecAggRun run = new SecAggRun(4, new SecAggSettings(3, 0));
        run.advertiseAndShare();
        run.mask(values(run, 10), weights(run), Set.of());
        org.fedfms.secagg.UnmaskRequest both = new org.fedfms.secagg.UnmaskRequest(3,
                List.of("site-a", "site-b", "site-c", "site-d"), List.of("site-d"));
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> run.sites.get("site-a").reveal(both));
        assertTrue(e.getMessage().contains("named both survivor and dropped"), e.getMessage());
    }

    @Test
    void aMaskedUploadLooksUniformOnTheRing() {
        SecAggRun run = new SecAggRun(3, SecAggSettings.DEFAULT);
        int length = 40_000;
        float[] constant = new float[length];
        java.util.Arrays.fill(constant, 0.25f);
        Map<String, float[]> values = Map.of("site-a", constant, "site-b", constant, "site-c", constant);
        Map<String, Long> weights = Map.of("site-a", 7L, "site-b", 7L, "site-c", 7L);
        run.advertiseAndShare();
        run.mask(values, weights, Set.of());
        MaskedInput upload = run.masked.get(0);
        // chi-square of the 320,000 bytes over 256 bins (df 255): 377 is the critical value at p = 1e-6
        double chi = byteChiSquare(upload.values());
        assertTrue(chi < 377, "masked bytes fail the uniformity test: chi-square " + chi);
        // each of the 64 bit positions is set in about half the values (|z| < 5)
        for (int bit = 0; bit < 64; bit++) {
            int ones = 0;
            for (long v : upload.values()) {
                ones += (int) ((v >>> bit) & 1L);
            }
            double z = (ones - upload.values().length / 2.0) / Math.sqrt(upload.values().length / 4.0);
            assertTrue(Math.abs(z) < 5, "bit " + bit + " is set in " + ones + " of " + upload.values().length);
        }
        // the same test does reject the unmasked encoding of the same update
        assertTrue(byteChiSquare(FixedPoint.encode(constant, 7)) > 10_000);
        SecureSum sum = run.unmask(Set.of(), r -> r);
        assertEquals(0.25f, sum.mean()[12_345], 1e-7);
    }

    private static double byteChiSquare(long[] values) {
        long[] counts = new long[256];
        for (long v : values) {
            for (int b = 0; b < 8; b++) {
                counts[(int) ((v >>> (8 * b)) & 0xff)]++;
            }
        }
        double expected = values.length * 8 / 256.0;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }

    @Test
    void settingsThatCannotBeSafeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SecAggSettings(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new SecAggSettings(-1, 0));
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> new SecAggSettings(2, 0).threshold(5));
        assertTrue(e.getMessage().contains("at most half"), e.getMessage());
        e = assertThrows(SecureAggregationException.class, () -> new SecAggSettings(6, 0).threshold(5));
        assertTrue(e.getMessage().contains("exceeds the 5 share holders"), e.getMessage());
        assertEquals(5, new SecAggSettings(0, 0).threshold(8));
        assertEquals(3, new SecAggSettings(0, 4).threshold(20));
    }

    @Test
    void valuesBeyondTheClipRangeAreClippedNotWrapped() {
        float[] big = { 5000f, -5000f, 3.5f };
        long[] ring = FixedPoint.encode(big, 3);
        long[] sum = ring.clone();
        float[] mean = FixedPoint.mean(sum);
        assertEquals((float) FixedPoint.CLIP, mean[0]);
        assertEquals((float) -FixedPoint.CLIP, mean[1]);
        assertEquals(3.5f, mean[2]);
    }
}
