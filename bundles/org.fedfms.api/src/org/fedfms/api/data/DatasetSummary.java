package org.fedfms.api.data;

import java.util.List;

/**
 * A dataset's sites, split sizes, class balance and image sizes.
 *
 * @param name the dataset's name
 * @param classes number of classes including background
 * @param sites one summary per site
 * @param problems samples that failed to decode while inspecting
 * @param skipped cases skipped at load time
 */
public record DatasetSummary(String name, int classes, List<SiteSummary> sites, List<String> problems,
        List<String> skipped) {

    public DatasetSummary {
        sites = List.copyOf(sites);
        problems = List.copyOf(problems);
        skipped = List.copyOf(skipped);
    }
}
