package org.fedfms.api.strategy;

import java.util.List;

import org.fedfms.api.ParameterSet;

/**
 * Aggregates one round's fit results as they arrive.
 *
 * <p>{@link #accept} validates each result against the global layout (names, shapes, finite values,
 * positive sample count) and throws {@link AggregationException} without changing its state when one
 * is bad, so a bad site can be counted as failed and the round go on.
 */
public interface RoundAggregator {

    /** Adds one site's result; throws {@link AggregationException} if it is unusable. */
    void accept(FitResult result);

    /** Number of results accepted so far. */
    int accepted();

    /**
     * The new global trainable parameters. The global parameters the round started from are never
     * modified.
     *
     * @param failures sites that failed this round
     * @throws AggregationException if no usable result arrived or the strategy cannot aggregate
     *     what it got (e.g. too few sites for Krum)
     */
    ParameterSet finish(List<SiteFailure> failures);
}
