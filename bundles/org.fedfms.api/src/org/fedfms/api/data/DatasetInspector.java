package org.fedfms.api.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** Summarises a dataset: counts from the lists, class balance and sizes from decoded samples. */
public final class DatasetInspector {

    private DatasetInspector() {
    }

    /**
     * Summarises {@code dataset}, decoding at most {@code samplesPerSite} samples of each site, spread
     * evenly over its samples.
     */
    public static DatasetSummary inspect(FederatedDataset dataset, int samplesPerSite) {
        List<SiteSummary> sites = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (SiteData site : dataset.sites()) {
            List<Sample> all = new ArrayList<>();
            for (DataSplit split : DataSplit.values()) {
                all.addAll(site.split(split));
            }
            Set<String> cases = new HashSet<>();
            all.forEach(s -> cases.add(s.caseId()));
            long[] pixels = new long[dataset.classes()];
            TreeMap<String, Integer> sizes = new TreeMap<>();
            int n = Math.min(Math.max(0, samplesPerSite), all.size());
            int inspected = 0;
            for (int k = 0; k < n; k++) {
                Sample s = all.get((int) ((long) k * all.size() / n));
                LabeledImage img;
                try {
                    img = s.load();
                } catch (Exception e) {
                    problems.add(site.siteId() + "/" + s.id() + ": " + e.getMessage());
                    continue;
                }
                inspected++;
                sizes.merge(img.height() + "x" + img.width() + "x" + img.channels(), 1, Integer::sum);
                for (byte b : img.mask()) {
                    int c = b & 0xFF;
                    if (c < pixels.length) {
                        pixels[c]++;
                    }
                }
            }
            List<Long> classPixels = new ArrayList<>();
            for (long p : pixels) {
                classPixels.add(p);
            }
            sites.add(new SiteSummary(site.siteId(), site.train().size(), site.validation().size(), site.test().size(),
                    cases.size(), inspected, classPixels, sizes));
        }
        return new DatasetSummary(dataset.name(), dataset.classes(), sites, problems, dataset.skipped());
    }
}
