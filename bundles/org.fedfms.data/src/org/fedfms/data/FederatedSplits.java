package org.fedfms.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;

/**
 * Partitions and splits, deterministic under a seed: pooled IID and Dirichlet partitions that keep
 * cases whole, validation/test splits per site by image or case, and leave-one-site-out.
 */
public final class FederatedSplits {

    /** Most Dirichlet draws tried before a partition that leaves a site empty is given up. */
    static final int DIRICHLET_ATTEMPTS = 200;

    private FederatedSplits() {
    }

    /** A site's samples before splitting. */
    public record SiteSamples(String siteId, List<Sample> samples) {
        public SiteSamples {
            samples = List.copyOf(samples);
        }
    }

    /** Samples that move together: one image, or every image of one case of one source site. */
    public record Unit(String sourceSite, String caseId, List<Sample> samples) {
        public Unit {
            samples = List.copyOf(samples);
        }
    }

    /** Groups a site's samples into units, in order of first appearance. */
    public static List<Unit> units(String siteId, List<Sample> samples, SplitUnit by) {
        List<Unit> out = new ArrayList<>();
        if (by == SplitUnit.IMAGE) {
            samples.forEach(s -> out.add(new Unit(siteId, s.caseId(), List.of(s))));
            return out;
        }
        Map<String, List<Sample>> cases = new LinkedHashMap<>();
        samples.forEach(s -> cases.computeIfAbsent(s.caseId(), k -> new ArrayList<>()).add(s));
        cases.forEach((c, list) -> out.add(new Unit(siteId, c, list)));
        return out;
    }

    /** Pools every site's units and deals them to {@code sites} new sites uniformly at random. */
    public static List<SiteSamples> iid(List<SiteSamples> natural, int sites, SplitUnit by, long seed) {
        List<Unit> pool = pool(natural, by);
        checkPartitionSize(pool, sites);
        Collections.shuffle(pool, new Random(seed));
        List<List<Sample>> dealt = emptyLists(sites);
        for (int i = 0; i < pool.size(); i++) {
            dealt.get(i % sites).addAll(pooled(pool.get(i)));
        }
        return named(dealt);
    }

    /**
     * Pools every site's units and deals each class's units to {@code sites} new sites in proportions
     * drawn from a symmetric Dirichlet(alpha) (Hsu et al. 2019); a unit's class is the most frequent
     * label of its samples. Small alpha gives sites few classes and unequal sizes; large alpha tends to
     * IID. Draws again while a site would be empty.
     */
    public static List<SiteSamples> dirichlet(List<SiteSamples> natural, int sites, double alpha, SplitUnit by,
            long seed, ClassLabeler labeler) throws DatasetException {
        List<Unit> pool = pool(natural, by);
        checkPartitionSize(pool, sites);
        Map<Integer, List<Unit>> byClass = new java.util.TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Unit u : pool) {
            int label;
            try {
                label = unitLabel(u, labeler);
            } catch (java.io.IOException e) {
                problems.add(e.getMessage());
                continue;
            }
            byClass.computeIfAbsent(label, k -> new ArrayList<>()).add(u);
        }
        if (!problems.isEmpty()) {
            throw new DatasetException("cannot label samples for the Dirichlet partition", problems);
        }
        Random random = new Random(seed);
        for (int attempt = 0; attempt < DIRICHLET_ATTEMPTS; attempt++) {
            List<List<Sample>> dealt = emptyLists(sites);
            int[] units = new int[sites];
            for (List<Unit> members : byClass.values()) {
                List<Unit> shuffled = new ArrayList<>(members);
                Collections.shuffle(shuffled, random);
                double[] p = sampleDirichlet(random, alpha, sites);
                int start = 0;
                double cumulative = 0;
                for (int s = 0; s < sites; s++) {
                    cumulative += p[s];
                    int end = s == sites - 1 ? shuffled.size() : (int) Math.round(cumulative * shuffled.size());
                    end = Math.max(start, Math.min(end, shuffled.size()));
                    for (Unit u : shuffled.subList(start, end)) {
                        dealt.get(s).addAll(pooled(u));
                        units[s]++;
                    }
                    start = end;
                }
            }
            boolean noneEmpty = true;
            for (int n : units) {
                noneEmpty &= n > 0;
            }
            if (noneEmpty) {
                return named(dealt);
            }
        }
        throw new DatasetException("the Dirichlet partition (alpha=" + alpha + ") left a site empty in "
                + DIRICHLET_ATTEMPTS + " draws of " + pool.size() + " units over " + sites
                + " sites; raise dirichletAlpha or lower partitionSites");
    }

    /** One draw of a symmetric Dirichlet(alpha) over {@code k} categories. */
    public static double[] sampleDirichlet(Random random, double alpha, int k) {
        double[] g = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            g[i] = sampleGamma(random, alpha);
            sum += g[i];
        }
        if (sum <= 0) {
            g[random.nextInt(k)] = 1;
            sum = 1;
        }
        for (int i = 0; i < k; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 by the boost Gamma(a+1)·U^(1/a). */
    static double sampleGamma(Random random, double shape) {
        if (shape < 1) {
            double u = random.nextDouble();
            return sampleGamma(random, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /**
     * Splits one site's samples into train, validation and test. Units (images or cases) are shuffled
     * with a generator seeded by {@code seed} and the site id; {@code testFraction} and
     * {@code validationFraction} of the units (at least one each when the fraction is positive and the
     * site has units to spare, never the last unit) go to test and validation. Samples keep their order
     * within each split.
     */
    public static SiteData split(String siteId, List<Sample> samples, double validationFraction,
            double testFraction, SplitUnit by, long seed) {
        List<Unit> units = units(siteId, samples, by);
        List<Unit> shuffled = new ArrayList<>(units);
        Collections.shuffle(shuffled, new Random(seed ^ (siteId.hashCode() * 0x9E3779B97F4A7C15L)));
        int n = shuffled.size();
        int nTest = count(testFraction, n);
        int nVal = count(validationFraction, n);
        while (nTest + nVal > Math.max(0, n - 1)) {
            if (nVal >= nTest && nVal > 0) {
                nVal--;
            } else {
                nTest--;
            }
        }
        Set<Sample> test = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Sample> validation = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < nTest; i++) {
            test.addAll(shuffled.get(i).samples());
        }
        for (int i = nTest; i < nTest + nVal; i++) {
            validation.addAll(shuffled.get(i).samples());
        }
        List<Sample> tr = new ArrayList<>();
        List<Sample> va = new ArrayList<>();
        List<Sample> te = new ArrayList<>();
        for (Unit u : units) {
            for (Sample s : u.samples()) {
                (test.contains(s) ? te : validation.contains(s) ? va : tr).add(s);
            }
        }
        return new SiteData(siteId, tr, va, te);
    }

    /**
     * Leave-one-site-out: {@code siteId} becomes test-only (its train and validation samples join its
     * test split); the other sites stay as they are.
     *
     * @throws DatasetException if the dataset has no such site
     */
    public static FederatedDataset holdOut(FederatedDataset dataset, String siteId) throws DatasetException {
        if (dataset.site(siteId).isEmpty()) {
            throw new DatasetException("cannot hold out site '" + siteId + "': " + dataset.name() + " has sites "
                    + dataset.sites().stream().map(SiteData::siteId).toList());
        }
        List<SiteData> sites = new ArrayList<>();
        for (SiteData s : dataset.sites()) {
            if (s.siteId().equals(siteId)) {
                List<Sample> all = new ArrayList<>(s.train());
                all.addAll(s.validation());
                all.addAll(s.test());
                sites.add(new SiteData(s.siteId(), List.of(), List.of(), all));
            } else {
                sites.add(s);
            }
        }
        return new FederatedDataset(dataset.name(), dataset.classes(), sites, dataset.skipped());
    }

    /** Every leave-one-site-out fold: one dataset per site, with that site test-only. */
    public static List<FederatedDataset> leaveOneSiteOutFolds(FederatedDataset dataset) throws DatasetException {
        List<FederatedDataset> folds = new ArrayList<>();
        for (SiteData s : dataset.sites()) {
            folds.add(holdOut(dataset, s.siteId()));
        }
        return folds;
    }

    private static int count(double fraction, int n) {
        if (fraction <= 0 || n == 0) {
            return 0;
        }
        return Math.max(1, (int) Math.round(fraction * n));
    }

    private static int unitLabel(Unit u, ClassLabeler labeler) throws java.io.IOException {
        Map<Integer, Integer> votes = new java.util.TreeMap<>();
        for (Sample s : u.samples()) {
            votes.merge(labeler.label(s), 1, Integer::sum);
        }
        int best = 0;
        int bestVotes = -1;
        for (Map.Entry<Integer, Integer> e : votes.entrySet()) {
            boolean better = e.getValue() > bestVotes || (e.getValue() == bestVotes && best == 0);
            if (better) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    private static List<Sample> pooled(Unit u) {
        List<Sample> out = new ArrayList<>();
        u.samples().forEach(s -> out.add(new PooledSample(u.sourceSite(), s)));
        return out;
    }

    private static List<Unit> pool(List<SiteSamples> natural, SplitUnit by) {
        List<Unit> pool = new ArrayList<>();
        for (SiteSamples s : natural) {
            pool.addAll(units(s.siteId(), s.samples(), by));
        }
        return pool;
    }

    private static void checkPartitionSize(List<Unit> pool, int sites) {
        if (sites < 1) {
            throw new IllegalArgumentException("a partition needs at least one site, got " + sites);
        }
        if (pool.size() < sites) {
            throw new IllegalArgumentException("cannot partition " + pool.size() + " units over " + sites + " sites");
        }
    }

    private static List<List<Sample>> emptyLists(int n) {
        List<List<Sample>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    private static List<SiteSamples> named(List<List<Sample>> dealt) {
        List<SiteSamples> out = new ArrayList<>();
        for (int i = 0; i < dealt.size(); i++) {
            out.add(new SiteSamples("site-" + (i + 1), dealt.get(i)));
        }
        return out;
    }
}
