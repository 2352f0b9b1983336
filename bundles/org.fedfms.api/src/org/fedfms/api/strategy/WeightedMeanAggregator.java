package org.fedfms.api.strategy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.fedfms.api.ParameterSet;

/**
 * The round of a FedAvg-style strategy: each checked update is folded into a {@link WeightedMean}
 * (weighted by its sample count, or equally), and the round ends with their mean. Failed sites are
 * tolerated or, with {@code acceptFailures} false, end the round with the global model kept.
 *
 * <p>With {@code roundWeights} the weights are the FedFMS reference's: each site's share of the total weight
 * is rounded to two decimals (half to even on the exact binary value, as Python's {@code round(x, 2)}), and the
 * last site in site-id order gets 1 minus the sum of the others. The updates are then held (references, not
 * copies) until {@link #finish}, since every weight depends on the total.
 */
public final class WeightedMeanAggregator implements RoundAggregator {

    private final int round;
    private final ParameterSet global;
    private final AveragingSettings settings;
    private final WeightedMean mean;
    private final List<FitResult> held = new ArrayList<>();

    /** An aggregator for {@code round} over sites that trained from {@code global}, exact weights. */
    public WeightedMeanAggregator(int round, ParameterSet global, boolean weighted, boolean acceptFailures) {
        this(round, global, new AveragingSettings(weighted, acceptFailures, false));
    }

    /** An aggregator for {@code round} over sites that trained from {@code global}. */
    public WeightedMeanAggregator(int round, ParameterSet global, AveragingSettings settings) {
        this.round = round;
        this.global = global;
        this.settings = settings;
        this.mean = new WeightedMean(global);
    }

    @Override
    public void accept(FitResult result) {
        UpdateCheck.check(global, result);
        if (settings.roundWeights()) {
            if (held.stream().anyMatch(r -> r.siteId().equals(result.siteId()))) {
                throw new AggregationException("site " + result.siteId() + ": a second update in round " + round
                        + "; only the first one counts");
            }
            held.add(result);
        } else {
            mean.add(result.parameters(), weight(result));
        }
    }

    private double weight(FitResult result) {
        return settings.weighted() ? result.sampleCount() : 1.0;
    }

    @Override
    public int accepted() {
        return settings.roundWeights() ? held.size() : mean.count();
    }

    @Override
    public ParameterSet finish(List<SiteFailure> failures) {
        if (!settings.acceptFailures() && !failures.isEmpty()) {
            List<String> ids = failures.stream().map(SiteFailure::siteId).toList();
            throw new AggregationException("round " + round + ": sites " + ids
                    + " failed and acceptFailures=false; the global model is kept");
        }
        if (accepted() == 0) {
            throw AggregationException.nothingDelivered(round);
        }
        if (settings.roundWeights()) {
            foldRounded();
        }
        return mean.mean();
    }

    private void foldRounded() {
        held.sort(Comparator.comparing(FitResult::siteId));
        double[] w = roundedWeights(held.stream().mapToDouble(this::weight).toArray());
        for (int i = 0; i < w.length; i++) {
            FitResult r = held.get(i);
            if (w[i] < 0) {
                throw new AggregationException("round " + round + ": weights rounded to two decimals leave site "
                        + r.siteId() + " (the last by id) the negative weight " + w[i]
                        + "; aggregate with roundWeights=false");
            }
            if (w[i] > 0) {
                mean.add(r.parameters(), w[i]);
            }
        }
        held.clear();
    }

    /**
     * The FedFMS reference's weights: {@code round(w_i / sum, 2)} for all but the last, which gets 1 minus their
     * sum (so it may be 0, or negative when many sites round up).
     */
    public static double[] roundedWeights(double[] weights) {
        double total = 0;
        for (double x : weights) {
            total += x;
        }
        double[] out = new double[weights.length];
        double others = 0;
        for (int i = 0; i < weights.length - 1; i++) {
            out[i] = new BigDecimal(weights[i] / total).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
            others += out[i];
        }
        out[weights.length - 1] = 1.0 - others;
        return out;
    }
}
