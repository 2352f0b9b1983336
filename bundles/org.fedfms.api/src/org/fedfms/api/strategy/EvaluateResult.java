package org.fedfms.api.strategy;

import org.fedfms.api.Metrics;

/**
 * One site's evaluation of the global model.
 *
 * @param siteId the site
 * @param sampleCount samples evaluated
 * @param metrics mean metrics over those samples (dice, iou, loss, ...)
 */
public record EvaluateResult(String siteId, long sampleCount, Metrics metrics) {
}
