package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.data.ClassLabeler;
import org.fedfms.data.FederatedSplits;
import org.fedfms.data.FederatedSplits.SiteSamples;
import org.fedfms.data.SplitUnit;
import org.junit.jupiter.api.Test;

class FederatedSplitsTest {

    private static List<String> ids(List<Sample> samples) {
        return samples.stream().map(Sample::id).toList();
    }

    @Test
    void splitByImageTakesTheFractionsOfImages() {
        List<Sample> samples = TestSamples.cases("a", 100, 1, 1);
        SiteData site = FederatedSplits.split("a", samples, 0.1, 0.2, SplitUnit.IMAGE, 7);
        assertEquals(70, site.train().size());
        assertEquals(10, site.validation().size());
        assertEquals(20, site.test().size());
        Set<String> all = new HashSet<>();
        for (DataSplit s : DataSplit.values()) {
            all.addAll(ids(site.split(s)));
        }
        assertEquals(100, all.size());
    }

    @Test
    void splitByCaseKeepsEveryCaseInOneSplitAndIsDeterministic() {
        List<Sample> samples = TestSamples.cases("p", 20, 5, 1);
        SiteData a = FederatedSplits.split("h1", samples, 0.1, 0.2, SplitUnit.CASE, 42);
        SiteData b = FederatedSplits.split("h1", samples, 0.1, 0.2, SplitUnit.CASE, 42);
        SiteData c = FederatedSplits.split("h1", samples, 0.1, 0.2, SplitUnit.CASE, 43);
        assertEquals(List.of(), DatasetValidator.splitProblems(a));
        assertEquals(2 * 5, a.validation().size());
        assertEquals(4 * 5, a.test().size());
        assertEquals(14 * 5, a.train().size());
        assertEquals(ids(a.test()), ids(b.test()));
        assertEquals(ids(a.validation()), ids(b.validation()));
        assertNotEquals(ids(a.test()), ids(c.test()));
        Map<String, DataSplit> caseOf = new HashMap<>();
        for (DataSplit s : DataSplit.values()) {
            for (Sample x : a.split(s)) {
                DataSplit prev = caseOf.putIfAbsent(x.caseId(), s);
                assertTrue(prev == null || prev == s, x.caseId() + " in " + prev + " and " + s);
            }
        }
    }

    @Test
    void splitNeverTakesTheLastUnitFromTraining() {
        SiteData one = FederatedSplits.split("s", TestSamples.cases("x", 1, 3, 1), 0.1, 0.2, SplitUnit.CASE, 1);
        assertEquals(3, one.train().size());
        SiteData two = FederatedSplits.split("s", TestSamples.cases("x", 2, 1, 1), 0.3, 0.3, SplitUnit.CASE, 1);
        assertEquals(1, two.train().size());
        assertEquals(1, two.validation().size() + two.test().size());
    }

    @Test
    void iidPoolsDealsEvenlyKeepsCasesWholeAndPrefixesIds() throws Exception {
        List<SiteSamples> natural = List.of(new SiteSamples("A", TestSamples.cases("p", 30, 2, 1)),
                new SiteSamples("B", TestSamples.cases("p", 30, 2, 1)));
        List<SiteSamples> iid = FederatedSplits.iid(natural, 3, SplitUnit.CASE, 5);
        assertEquals(List.of("site-1", "site-2", "site-3"), iid.stream().map(SiteSamples::siteId).toList());
        Set<String> seen = new HashSet<>();
        Map<String, String> siteOfCase = new HashMap<>();
        for (SiteSamples s : iid) {
            assertEquals(40, s.samples().size());
            for (Sample x : s.samples()) {
                assertTrue(seen.add(x.id()), "sample twice: " + x.id());
                String prev = siteOfCase.putIfAbsent(x.caseId(), s.siteId());
                assertTrue(prev == null || prev.equals(s.siteId()), "case split over sites: " + x.caseId());
            }
        }
        assertEquals(120, seen.size());
        assertTrue(seen.contains("A/p-c0-s0") && seen.contains("B/p-c0-s0"), "ids keep their source site");
        assertEquals(ids(iid.get(0).samples()), ids(FederatedSplits.iid(natural, 3, SplitUnit.CASE, 5).get(0).samples()));
    }

    /** Mean total-variation distance between each site's class distribution and the global one. */
    private static double skew(List<SiteSamples> sites, int classes) throws Exception {
        double[] global = new double[classes];
        int total = 0;
        List<double[]> per = new ArrayList<>();
        for (SiteSamples s : sites) {
            double[] h = new double[classes];
            for (Sample x : s.samples()) {
                h[ClassLabeler.DOMINANT_CLASS.label(x)]++;
            }
            for (int c = 0; c < classes; c++) {
                global[c] += h[c];
                h[c] /= s.samples().size();
            }
            total += s.samples().size();
            per.add(h);
        }
        double tv = 0;
        for (double[] h : per) {
            double d = 0;
            for (int c = 0; c < classes; c++) {
                d += Math.abs(h[c] - global[c] / total);
            }
            tv += d / 2;
        }
        return tv / per.size();
    }

    private static double sizeSpread(List<SiteSamples> sites) {
        double mean = sites.stream().mapToInt(s -> s.samples().size()).average().orElse(0);
        double var = sites.stream().mapToDouble(s -> Math.pow(s.samples().size() - mean, 2)).average().orElse(0);
        return Math.sqrt(var) / mean;
    }

    @Test
    void dirichletSkewsClassesAndSizesAsAlphaSays() throws Exception {
        List<Sample> pool = new ArrayList<>();
        for (int c = 1; c <= 8; c++) {
            pool.addAll(TestSamples.cases("k" + c, 60, 1, c));
        }
        List<SiteSamples> natural = List.of(new SiteSamples("all", pool));
        List<SiteSamples> skewed = FederatedSplits.dirichlet(natural, 5, 0.1, SplitUnit.IMAGE, 3,
                ClassLabeler.DOMINANT_CLASS);
        List<SiteSamples> even = FederatedSplits.dirichlet(natural, 5, 1000, SplitUnit.IMAGE, 3,
                ClassLabeler.DOMINANT_CLASS);
        int total = skewed.stream().mapToInt(s -> s.samples().size()).sum();
        assertEquals(480, total);
        assertEquals(480, even.stream().mapToInt(s -> s.samples().size()).sum());
        double skewSmall = skew(skewed, 9);
        double skewLarge = skew(even, 9);
        assertTrue(skewSmall > 0.45, "alpha 0.1 should make sites see few classes, TV " + skewSmall);
        assertTrue(skewLarge < 0.08, "alpha 1000 should be close to IID, TV " + skewLarge);
        assertTrue(sizeSpread(skewed) > 3 * sizeSpread(even), "site sizes " + sizeSpread(skewed) + " vs "
                + sizeSpread(even));
        for (SiteSamples s : skewed) {
            assertTrue(!s.samples().isEmpty(), "no site is left empty");
        }
        List<SiteSamples> again = FederatedSplits.dirichlet(natural, 5, 0.1, SplitUnit.IMAGE, 3,
                ClassLabeler.DOMINANT_CLASS);
        for (int i = 0; i < 5; i++) {
            assertEquals(ids(skewed.get(i).samples()), ids(again.get(i).samples()));
        }
    }

    @Test
    void dirichletDrawsHaveTheRightMeanAndVariance() {
        Random r = new Random(11);
        int k = 4;
        double alpha = 0.5;
        int n = 20_000;
        double[] sum = new double[k];
        double[] sq = new double[k];
        for (int i = 0; i < n; i++) {
            double[] p = FederatedSplits.sampleDirichlet(r, alpha, k);
            double total = 0;
            for (int j = 0; j < k; j++) {
                sum[j] += p[j];
                sq[j] += p[j] * p[j];
                total += p[j];
            }
            assertEquals(1.0, total, 1e-9);
        }
        double expectedVar = (1.0 / k) * (1 - 1.0 / k) / (k * alpha + 1);
        for (int j = 0; j < k; j++) {
            double mean = sum[j] / n;
            double var = sq[j] / n - mean * mean;
            assertEquals(0.25, mean, 0.01);
            assertEquals(expectedVar, var, 0.1 * expectedVar);
        }
    }

    @Test
    void dirichletThatCannotFillEverySiteSaysWhatToChange() {
        List<SiteSamples> natural = List.of(new SiteSamples("a", TestSamples.cases("k", 6, 1, 1)));
        DatasetException e = assertThrows(DatasetException.class, () -> FederatedSplits.dirichlet(natural, 6, 0.001,
                SplitUnit.IMAGE, 1, ClassLabeler.DOMINANT_CLASS));
        assertTrue(e.getMessage().contains("raise dirichletAlpha"), e.getMessage());
    }

    @Test
    void holdOutMakesTheUnseenSiteTestOnly() throws Exception {
        SiteData a = FederatedSplits.split("A", TestSamples.cases("a", 10, 1, 1), 0.1, 0.2, SplitUnit.IMAGE, 1);
        SiteData b = FederatedSplits.split("B", TestSamples.cases("b", 10, 1, 1), 0.1, 0.2, SplitUnit.IMAGE, 1);
        FederatedDataset ds = new FederatedDataset("t", 2, List.of(a, b));
        FederatedDataset held = FederatedSplits.holdOut(ds, "B");
        SiteData hb = held.site("B").orElseThrow();
        assertEquals(0, hb.train().size());
        assertEquals(0, hb.validation().size());
        assertEquals(10, hb.test().size());
        assertEquals(ids(a.train()), ids(held.site("A").orElseThrow().train()));
        assertEquals(2, FederatedSplits.leaveOneSiteOutFolds(ds).size());
        DatasetException e = assertThrows(DatasetException.class, () -> FederatedSplits.holdOut(ds, "C"));
        assertTrue(e.getMessage().contains("'C'") && e.getMessage().contains("[A, B]"), e.getMessage());
    }
}
