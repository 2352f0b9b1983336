package org.fedfms.strategy.krum;

import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.WeightedMean;

/**
 * One Multi-Krum round: the {@code m} updates with the lowest Krum scores are averaged ({@code m = 0}:
 * {@code n − f}). Krum is the case {@code m = 1}, where the best update itself (a copy) is the new model.
 */
final class MultiKrumRound extends KrumRound {

    private final int m;
    private final boolean weighted;

    /**
     * @param strategyId named in messages
     * @param f number of Byzantine sites tolerated
     * @param m number of best-scored updates averaged, 0 for {@code n − f}
     * @param weighted weight the averaged updates by their sample counts
     */
    MultiKrumRound(int round, ParameterSet global, String strategyId, int f, int m, boolean weighted) {
        super(round, global, strategyId, f);
        this.m = m;
        this.weighted = weighted;
    }

    @Override
    public ParameterSet finish(List<SiteFailure> failures) {
        List<KrumSelection.Scored> ranked = selection.ranked(f);
        int n = ranked.size();
        int keep = m == 0 ? n - f : m;
        if (keep < 1) {
            throw new AggregationException("round " + round + ": " + strategyId + " with m=0 averages n-f = " + keep
                    + " updates (n=" + n + ", f=" + f + "); wait for more sites or set m");
        }
        if (keep > n) {
            throw new AggregationException("round " + round + ": " + strategyId + " with m=" + keep
                    + " needs at least that many updates, got " + n);
        }
        ParameterSet next = keep == 1 ? copy(ranked.get(0).result()) : mean(ranked.subList(0, keep));
        selection.clear();
        return next;
    }

    /** The mean of one update is that update: copied exactly, with no rounding of a weighted sum. */
    private ParameterSet copy(FitResult best) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : global.tensors()) {
            b.add(best.parameters().get(t.name()).copy());
        }
        return b.build();
    }

    private ParameterSet mean(List<KrumSelection.Scored> selected) {
        WeightedMean mean = new WeightedMean(global);
        for (KrumSelection.Scored sc : selected) {
            FitResult r = sc.result();
            mean.add(r.parameters(), weighted ? r.sampleCount() : 1.0);
        }
        return mean.mean();
    }
}
