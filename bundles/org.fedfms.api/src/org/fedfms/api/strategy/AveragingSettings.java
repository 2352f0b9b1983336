package org.fedfms.api.strategy;

import org.fedfms.api.settings.Setting;

/**
 * How a FedAvg-style round averages the sites' models: the settings group FedAvg and FedProx share (a
 * settings record component of this type is flattened into its keys).
 *
 * @param weighted weight each site by its training sample count
 * @param acceptFailures aggregate the sites that delivered even if others failed
 * @param roundWeights round the weights to two decimals as the FedFMS reference does (see
 *     {@link WeightedMeanAggregator})
 */
public record AveragingSettings(
        @Setting(description = "weight each site by its training sample count (false: plain mean)")
        boolean weighted,
        @Setting(description = "aggregate the sites that delivered even if others failed (false: keep the "
                + "global model when any site fails)")
        boolean acceptFailures,
        @Setting(description = "round each site's weight to two decimals, the last site's (by id) set to 1 minus "
                + "the others, as the FedFMS reference does (for exact reproduction of its runs)")
        boolean roundWeights) {

    /** Sample-count weights, failures tolerated, exact weights. */
    public static final AveragingSettings DEFAULTS = new AveragingSettings(true, true, false);
}
