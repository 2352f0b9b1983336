package org.fedfms.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The record of one completed round of an experiment.
 *
 * @param experiment experiment name
 * @param round round number, starting at 1
 * @param strategyId strategy that aggregated this round
 * @param strategySettings that strategy's settings for this round
 * @param sites what each site did
 * @param fitMetrics site training metrics, weighted by sample counts
 * @param evaluationMetrics global model's evaluation metrics, weighted by sample counts
 * @param bytesDown bytes sent to the sites
 * @param bytesUp bytes received from the sites
 * @param durationMillis wall time of the round
 * @param completedAt when the round completed
 * @param note what changed this round (e.g. a strategy swap), or empty
 */
public record RoundResult(String experiment, int round, String strategyId, Map<String, Object> strategySettings,
        List<SiteRoundResult> sites, Metrics fitMetrics, Metrics evaluationMetrics, long bytesDown, long bytesUp,
        long durationMillis, Instant completedAt, String note) {

    public RoundResult {
        strategySettings = Map.copyOf(strategySettings);
        sites = List.copyOf(sites);
        note = note == null ? "" : note;
    }

    /** Sites whose updates were aggregated. */
    public long okSites() {
        return sites.stream().filter(s -> s.status() == SiteRoundResult.Status.OK).count();
    }
}
