package org.fedfms.api.strategy;

import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;

/**
 * One experiment's use of a strategy: configures fit rounds and aggregates their results. Not
 * thread-safe; the federation calls it from one round at a time.
 */
public interface StrategySession {

    /** Id of the strategy this session belongs to. */
    String strategyId();

    /** The bound settings of this session, by key. */
    Map<String, Object> settings();

    /**
     * Instructions for each site chosen for this round (e.g. the proximal term {@code mu}).
     *
     * @param round round number, starting at 1
     * @param global current global trainable parameters
     * @param sites the sites chosen for this round
     * @return instructions per site id; a site without an entry gets {@link FitInstructions#none()}
     */
    default Map<String, FitInstructions> configureFit(int round, ParameterSet global, List<SiteInfo> sites) {
        return Map.of();
    }

    /**
     * What the chosen sites of a round train from: the global parameters, plus any tensors the strategy has the
     * sites use beside them (SCAFFOLD's server control variate, see {@link ControlVariates}); by default the
     * global parameters alone. Sites send back an update of the same layout.
     */
    default ParameterSet fitParameters(int round, ParameterSet global) {
        return global;
    }

    /**
     * Starts aggregating a round. Results are handed to the returned aggregator as they arrive, so
     * strategies that can accumulate need not hold every site's parameters at once.
     */
    RoundAggregator beginRound(int round, ParameterSet global);

    /**
     * Aggregates a whole round at once: {@link #beginRound}, every result, then
     * {@link RoundAggregator#finish}.
     */
    default ParameterSet aggregateFit(int round, ParameterSet global, List<FitResult> results,
            List<SiteFailure> failures) {
        RoundAggregator a = beginRound(round, global);
        for (FitResult r : results) {
            a.accept(r);
        }
        return a.finish(failures);
    }

    /** Combines the sites' evaluation metrics; by default weighted by their sample counts. */
    default Metrics aggregateEvaluate(int round, List<EvaluateResult> results) {
        return Metrics.weightedMean(results, EvaluateResult::metrics, EvaluateResult::sampleCount);
    }

    /** State to checkpoint (tensors such as optimizer moments, plus scalars), empty if none. */
    default StrategyState state() {
        return StrategyState.EMPTY;
    }

    /** Restores what {@link #state()} returned, when an experiment resumes. */
    default void restore(StrategyState state) {
    }
}
