package org.fedfms.api.strategy;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;

/**
 * One site's update for a round.
 *
 * @param siteId the site
 * @param parameters its updated trainable parameters
 * @param sampleCount training samples behind the update (FedAvg's weight)
 * @param metrics local training metrics (loss, ...)
 */
public record FitResult(String siteId, ParameterSet parameters, long sampleCount, Metrics metrics) {
}
