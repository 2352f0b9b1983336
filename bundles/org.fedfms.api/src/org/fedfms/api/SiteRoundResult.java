package org.fedfms.api;

/**
 * What one site did in one round.
 *
 * @param siteId the site
 * @param status whether it delivered an update
 * @param sampleCount training samples its update is weighted by (0 if it failed)
 * @param fitMetrics metrics the site reported from local training
 * @param evaluationMetrics metrics of the new global model on the site's evaluation data
 * @param error why it failed, or {@code null}
 * @param bytesDown bytes sent to the site
 * @param bytesUp bytes received from the site
 * @param durationMillis wall time of the site's work
 */
public record SiteRoundResult(String siteId, Status status, long sampleCount, Metrics fitMetrics,
        Metrics evaluationMetrics, String error, long bytesDown, long bytesUp, long durationMillis) {

    /** Outcome of a site's round. */
    public enum Status {
        /** The update arrived and was aggregated. */
        OK,
        /** The site failed or missed the deadline. */
        FAILED,
        /** The site was not selected this round. */
        SKIPPED
    }
}
