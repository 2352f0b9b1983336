package org.fedfms.api.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Checks a whole dataset at once: decodes every sample (pixels in 0..255, labels below the class
 * count, readable files) and checks the splits (no sample id twice in a site, no case in two splits);
 * cases skipped at load time count as problems too.
 */
public final class DatasetValidator {

    private DatasetValidator() {
    }

    /** Validates every sample of {@code dataset}, decoding them in parallel; problems in a stable order. */
    public static DatasetValidation validate(FederatedDataset dataset) {
        List<String> problems = new ArrayList<>(dataset.skipped());
        List<Sample> all = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (SiteData site : dataset.sites()) {
            problems.addAll(splitProblems(site));
            for (DataSplit split : DataSplit.values()) {
                for (Sample s : site.split(split)) {
                    all.add(s);
                    where.add(site.siteId() + "/" + s.id());
                }
            }
        }
        String[] found = new String[all.size()];
        IntStream.range(0, all.size()).parallel()
                .forEach(i -> found[i] = SampleCheck.problem(all.get(i), dataset.classes(), where.get(i)));
        for (String p : found) {
            if (p != null) {
                problems.add(p);
            }
        }
        return new DatasetValidation(dataset.name(), all.size(), problems);
    }

    /** Duplicate sample ids and cases that appear in more than one split of a site. */
    public static List<String> splitProblems(SiteData site) {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Map<String, DataSplit> caseSplit = new HashMap<>();
        Set<String> reported = new HashSet<>();
        for (DataSplit split : DataSplit.values()) {
            for (Sample s : site.split(split)) {
                if (!ids.add(s.id())) {
                    problems.add(site.siteId() + "/" + s.id() + ": sample id appears twice in the site");
                }
                DataSplit first = caseSplit.putIfAbsent(s.caseId(), split);
                if (first != null && first != split && reported.add(s.caseId())) {
                    problems.add(site.siteId() + ": case " + s.caseId() + " is in both the "
                            + first.name().toLowerCase(java.util.Locale.ROOT) + " and the "
                            + split.name().toLowerCase(java.util.Locale.ROOT) + " split");
                }
            }
        }
        return problems;
    }
}
