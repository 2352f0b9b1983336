package org.fedfms.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SampleCheck;
import org.fedfms.api.data.SiteData;

/**
 * Turns what a loader found (sites with lazy samples, and problems naming files) into a
 * {@link FederatedDataset}: reports every problem at once, or, when asked to skip bad cases, checks
 * every sample, leaves bad cases out and lists them; then partitions, splits and holds out a site as
 * {@link SplitSettings} say.
 */
public final class DatasetBuilder {

    private final String name;
    private final int classes;
    private final Map<String, List<Sample>> sites = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Map<String, List<String>>> badCases = new HashMap<>();
    private ClassLabeler labeler = ClassLabeler.DOMINANT_CLASS;

    /**
     * @param name what the dataset is (loader and source), used in messages
     * @param classes number of classes including background
     */
    public DatasetBuilder(String name, int classes) {
        if (classes < 2 || classes > 256) {
            throw new IllegalArgumentException("classes must be within 2..256, got " + classes);
        }
        this.name = name;
        this.classes = classes;
    }

    /** Adds a natural site and its samples (in a stable order); an empty site is a problem. */
    public DatasetBuilder site(String siteId, List<? extends Sample> samples) {
        sites.computeIfAbsent(siteId, k -> new ArrayList<>()).addAll(samples);
        return this;
    }

    /** A problem that no skipping can fix (a missing folder, a bad setting): always an error. */
    public DatasetBuilder problem(String problem) {
        problems.add(problem);
        return this;
    }

    /**
     * A problem of one case (an image without a mask, an unreadable header): an error, or, with
     * {@code skipBad}, the case is left out and listed.
     */
    public DatasetBuilder badCase(String siteId, String caseId, String problem) {
        badCases.computeIfAbsent(siteId, k -> new LinkedHashMap<>()).computeIfAbsent(caseId, k -> new ArrayList<>())
                .add(problem);
        return this;
    }

    /** How samples are labelled for a Dirichlet partition (default: decode the mask). */
    public DatasetBuilder labeler(ClassLabeler labeler) {
        this.labeler = labeler;
        return this;
    }

    /**
     * Builds the dataset as {@code cases} say: bad cases left out or fatal, sites split.
     *
     * @throws DatasetException listing every problem found
     */
    public FederatedDataset build(CaseHandling cases) throws DatasetException {
        return build(cases.split(), cases.skipBad());
    }

    /**
     * Builds the dataset.
     *
     * @param skipBad leave out bad cases (decoding every sample to find them) instead of failing
     * @throws DatasetException listing every problem found
     */
    public FederatedDataset build(SplitSettings split, boolean skipBad) throws DatasetException {
        List<String> all = new ArrayList<>(problems);
        if (!skipBad) {
            badCases.values().forEach(m -> m.values().forEach(all::addAll));
            all.addAll(emptySites());
        }
        if (!all.isEmpty()) {
            throw new DatasetException(name + ": " + all.size() + (all.size() == 1 ? " problem" : " problems"), all);
        }
        List<String> skipped = new ArrayList<>();
        Map<String, List<Sample>> kept = new LinkedHashMap<>();
        for (Map.Entry<String, List<Sample>> site : sites.entrySet()) {
            String siteId = site.getKey();
            Map<String, List<String>> bad = new LinkedHashMap<>(badCases.getOrDefault(siteId, Map.of()));
            if (skipBad) {
                for (Sample s : site.getValue()) {
                    if (bad.containsKey(s.caseId())) {
                        continue;
                    }
                    String p = SampleCheck.problem(s, classes, siteId + "/" + s.id());
                    if (p != null) {
                        bad.computeIfAbsent(s.caseId(), k -> new ArrayList<>()).add(p);
                    }
                }
            }
            List<Sample> good = new ArrayList<>();
            for (Sample s : site.getValue()) {
                if (!bad.containsKey(s.caseId())) {
                    good.add(s);
                }
            }
            for (Map.Entry<String, List<String>> b : bad.entrySet()) {
                skipped.add("skipped case " + siteId + "/" + b.getKey() + ": " + String.join("; ", b.getValue()));
            }
            if (good.isEmpty()) {
                if (!skipBad) {
                    throw new DatasetException(name + ": 1 problem", List.of(emptySite(siteId)));
                }
                skipped.add("skipped site " + siteId + ": " + (site.getValue().isEmpty() ? "it has no samples"
                        : "every case is bad"));
                continue;
            }
            kept.put(siteId, good);
        }
        if (kept.isEmpty()) {
            List<String> reasons = new ArrayList<>(skipped);
            if (sites.isEmpty()) {
                reasons.add("no sites found");
            }
            throw new DatasetException(name + ": no usable site", reasons);
        }
        return assemble(kept, split, skipped);
    }

    private FederatedDataset assemble(Map<String, List<Sample>> kept, SplitSettings split, List<String> skipped)
            throws DatasetException {
        List<FederatedSplits.SiteSamples> natural = new ArrayList<>();
        kept.forEach((id, samples) -> natural.add(new FederatedSplits.SiteSamples(id, samples)));
        int k = split.partitionSites() > 0 ? split.partitionSites() : natural.size();
        List<FederatedSplits.SiteSamples> partitioned;
        try {
            partitioned = switch (split.partition()) {
                case NATURAL -> natural;
                case IID -> FederatedSplits.iid(natural, k, split.splitBy(), split.seed());
                case DIRICHLET -> FederatedSplits.dirichlet(natural, k, split.dirichletAlpha(), split.splitBy(),
                        split.seed(), labeler);
            };
        } catch (IllegalArgumentException e) {
            throw new DatasetException(name + ": " + e.getMessage());
        }
        List<SiteData> out = new ArrayList<>();
        for (FederatedSplits.SiteSamples s : partitioned) {
            out.add(FederatedSplits.split(s.siteId(), s.samples(), split.validationFraction(), split.testFraction(),
                    split.splitBy(), split.seed()));
        }
        FederatedDataset ds = new FederatedDataset(name, classes, out, skipped);
        return split.holdOutSite().isEmpty() ? ds : FederatedSplits.holdOut(ds, split.holdOutSite());
    }

    private List<String> emptySites() {
        List<String> l = new ArrayList<>();
        sites.forEach((id, samples) -> {
            if (samples.isEmpty()) {
                l.add(emptySite(id));
            }
        });
        if (sites.isEmpty()) {
            l.add("no sites found");
        }
        return l;
    }

    private static String emptySite(String siteId) {
        return "site " + siteId + ": no samples";
    }
}
