package org.fedfms.strategy.fedavg;

import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;

/**
 * A round whose new model is {@code global + scale·(mean − global)}, {@code mean} the site models' mean with
 * per-site weights: both the weights and the scale come from what each site reports (q-FedAvg, FedNova). The mean
 * streams into one accumulator, as FedAvg's.
 */
abstract class ScaledMeanRound implements RoundAggregator {

    private final int round;
    private final ParameterSet global;
    private final WeightedMean mean;

    ScaledMeanRound(int round, ParameterSet global) {
        this.round = round;
        this.global = global;
        this.mean = new WeightedMean(global);
    }

    /**
     * The site's weight in the mean, after noting what the scale needs of it; throws
     * {@link AggregationException} naming the site, without changing any state, if the site's result lacks
     * what the strategy needs.
     */
    abstract double weigh(FitResult result, ParameterSet global);

    /** The step from the global model towards the mean, once every site is weighed. */
    abstract double scale();

    /** The value of fit metric {@code name} of a site, finite and at least {@code min}. */
    static double metric(String strategyId, FitResult result, String name, double min, String why) {
        double v = result.metrics().get(name).orElseThrow(() -> new AggregationException("site " + result.siteId()
                + ": " + strategyId + " needs the fit metric '" + name + "' (" + why + "), but the site reported "
                + result.metrics().values().keySet()));
        if (!(v >= min) || Double.isInfinite(v)) {
            throw new AggregationException("site " + result.siteId() + ": fit metric '" + name + "' is " + v + "; "
                    + strategyId + " needs a finite value of at least " + min);
        }
        return v;
    }

    @Override
    public final void accept(FitResult result) {
        UpdateCheck.check(global, result);
        mean.add(result.parameters(), weigh(result, global));
    }

    @Override
    public final int accepted() {
        return mean.count();
    }

    @Override
    public final ParameterSet finish(List<SiteFailure> failures) {
        if (mean.count() == 0) {
            throw AggregationException.nothingDelivered(round);
        }
        float s = (float) scale();
        ParameterSet m = mean.mean();
        for (Tensor t : m.tensors()) {
            float[] x = t.values();
            float[] g = global.get(t.name()).values();
            for (int k = 0; k < x.length; k++) {
                x[k] = g[k] + s * (x[k] - g[k]);
            }
        }
        return m;
    }
}
