package org.fedfms.api.strategy;

import java.util.List;
import java.util.function.UnaryOperator;

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

    /**
     * This round with its aggregate turned into the new global model by {@code step} (e.g. a server
     * optimizer's step over the mean of the sites' models); results are accepted as this round accepts them.
     */
    default RoundAggregator andThen(UnaryOperator<ParameterSet> step) {
        RoundAggregator first = this;
        return new RoundAggregator() {
            @Override
            public void accept(FitResult result) {
                first.accept(result);
            }

            @Override
            public int accepted() {
                return first.accepted();
            }

            @Override
            public ParameterSet finish(List<SiteFailure> failures) {
                return step.apply(first.finish(failures));
            }
        };
    }
}
