package org.fedfms.api.strategy;

import java.util.List;

import org.fedfms.api.ParameterSet;

/**
 * The round of a FedAvg-style strategy: each checked update is folded into a {@link WeightedMean}
 * (weighted by its sample count, or equally), and the round ends with their mean. Failed sites are
 * tolerated or, with {@code acceptFailures} false, end the round with the global model kept.
 */
public final class WeightedMeanAggregator implements RoundAggregator {

    private final int round;
    private final ParameterSet global;
    private final boolean weighted;
    private final boolean acceptFailures;
    private final WeightedMean mean;

    /** An aggregator for {@code round} over sites that trained from {@code global}. */
    public WeightedMeanAggregator(int round, ParameterSet global, boolean weighted, boolean acceptFailures) {
        this.round = round;
        this.global = global;
        this.weighted = weighted;
        this.acceptFailures = acceptFailures;
        this.mean = new WeightedMean(global);
    }

    @Override
    public void accept(FitResult result) {
        UpdateCheck.check(global, result);
        mean.add(result.parameters(), weighted ? result.sampleCount() : 1.0);
    }

    @Override
    public int accepted() {
        return mean.count();
    }

    @Override
    public ParameterSet finish(List<SiteFailure> failures) {
        if (!acceptFailures && !failures.isEmpty()) {
            List<String> ids = failures.stream().map(SiteFailure::siteId).toList();
            throw new AggregationException("round " + round + ": sites " + ids
                    + " failed and acceptFailures=false; the global model is kept");
        }
        if (mean.count() == 0) {
            throw new AggregationException("round " + round + ": no site delivered a usable update");
        }
        return mean.mean();
    }
}
