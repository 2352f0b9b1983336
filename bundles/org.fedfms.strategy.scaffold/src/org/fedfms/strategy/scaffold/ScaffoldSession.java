package org.fedfms.strategy.scaffold;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AbstractStrategySession;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;

/**
 * One experiment's SCAFFOLD server: holds the server control variate {@code c} (zeros until the first round ends),
 * sends it with the global model, and aggregates the sites' models and variate changes in one streamed mean. The
 * variate changes only when a round's aggregate is taken, so a round that fails leaves it as it was; it is
 * checkpointed as {@code c/<name>} tensors.
 */
final class ScaffoldSession extends AbstractStrategySession {

    static final String STATE_PREFIX = "c/";

    private final ScaffoldStrategy.Settings settings;
    private ParameterSet c;

    ScaffoldSession(String strategyId, Map<String, Object> bound, ScaffoldStrategy.Settings settings) {
        super(strategyId, bound);
        this.settings = settings;
    }

    /** The server variate for a model of {@code global}'s layout: zeros at first. */
    private ParameterSet variate(int round, ParameterSet global) {
        if (c == null) {
            return ControlVariates.zerosLike(global);
        }
        if (!global.layoutDifferences(c).isEmpty()) {
            throw new AggregationException("round " + round + ": the server control variate of " + strategyId()
                    + " does not fit the global model (" + global.layoutDifferences(c).size() + " differences); the "
                    + "trained parameters changed (open a new session to start the variates afresh)");
        }
        return c;
    }

    @Override
    public ParameterSet fitParameters(int round, ParameterSet global) {
        return ControlVariates.with(global, variate(round, global));
    }

    @Override
    public RoundAggregator beginRound(int round, ParameterSet global) {
        ParameterSet serverVariate = variate(round, global);
        ParameterSet sent = ControlVariates.with(global, serverVariate);
        WeightedMean mean = new WeightedMean(sent);
        return new RoundAggregator() {
            @Override
            public void accept(FitResult result) {
                if (!ControlVariates.present(result.parameters())) {
                    throw new AggregationException("site " + result.siteId() + ": " + strategyId() + " needs the "
                            + "site's control variate change (tensors '" + ControlVariates.PREFIX + "...') beside its "
                            + "model, but the update has none; the site's trainer or a wrapping strategy does not "
                            + "support SCAFFOLD");
                }
                UpdateCheck.check(sent, result);
                mean.add(result.parameters(), 1.0);
            }

            @Override
            public int accepted() {
                return mean.count();
            }

            @Override
            public ParameterSet finish(List<SiteFailure> failures) {
                if (mean.count() == 0) {
                    throw AggregationException.nothingDelivered(round);
                }
                int sites = mean.count();
                ParameterSet m = mean.mean();
                double eta = settings.serverLearningRate();
                ParameterSet next = ControlVariates.combine(global, 1 - eta, ControlVariates.model(m), eta);
                double share = settings.totalSites() == 0 ? 1.0 : Math.min(1.0, sites / (double) settings.totalSites());
                c = ControlVariates.combine(serverVariate, 1, ControlVariates.variates(m), share);
                return next;
            }
        };
    }

    /** A copy of the server variate as {@code c/<name>} tensors; empty before the first round ends. */
    @Override
    public StrategyState state() {
        if (c == null) {
            return StrategyState.EMPTY;
        }
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : c.tensors()) {
            b.add(t.copy().renamed(STATE_PREFIX + t.name()));
        }
        return new StrategyState(b.build(), Map.of());
    }

    @Override
    public void restore(StrategyState state) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : state.tensors().tensors()) {
            if (!t.name().startsWith(STATE_PREFIX)) {
                throw new IllegalArgumentException(strategyId() + " state holds '" + t.name() + "'; it keeps only "
                        + STATE_PREFIX + "<parameter> tensors");
            }
            b.add(t.copy().renamed(t.name().substring(STATE_PREFIX.length())));
        }
        ParameterSet restored = b.build();
        c = restored.isEmpty() ? null : restored;
    }
}
