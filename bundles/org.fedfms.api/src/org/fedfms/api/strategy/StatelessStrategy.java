package org.fedfms.api.strategy;

import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;

/**
 * A strategy that keeps nothing between rounds: its session ({@link StatelessSession}) holds the bound settings,
 * tells every chosen site the same fit instructions and makes a new aggregator per round. A strategy with state
 * implements {@link AggregationStrategy} itself. A subclass published as a DS component still names
 * {@code implements AggregationStrategy}: DS registers the interfaces a component class implements directly.
 *
 * @param <S> the strategy's settings record
 */
public abstract class StatelessStrategy<S extends Record> extends DescribedService<S> implements AggregationStrategy {

    protected StatelessStrategy(String id, String description, SettingsSchema<S> schema) {
        super(id, description, schema);
    }

    @Override
    public final StrategySession open(Map<String, ?> settings, StrategyContext context) {
        S s = settings().bind(settings);
        return new StatelessSession(id(), settings().toMap(s), instructions(s), rounds(s));
    }

    /** What every chosen site is told under these settings; nothing unless a strategy says otherwise. */
    protected FitInstructions instructions(S settings) {
        return FitInstructions.none();
    }

    /** Makes each round's aggregator under these settings. */
    protected abstract StatelessSession.Rounds rounds(S settings);
}
