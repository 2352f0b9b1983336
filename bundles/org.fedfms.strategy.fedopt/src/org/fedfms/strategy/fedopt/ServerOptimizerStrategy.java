package org.fedfms.strategy.fedopt;

import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;

/**
 * A server optimizer strategy: the sites' models are averaged into a pseudo-gradient, and one step of
 * {@code rule} with the parameters the settings give moves the global model.
 *
 * @param <S> the settings record
 */
abstract class ServerOptimizerStrategy<S extends Record> extends DescribedService<S> implements AggregationStrategy {

    private final UpdateRule rule;

    ServerOptimizerStrategy(String id, String description, SettingsSchema<S> schema, UpdateRule rule) {
        super(id, description, schema);
        this.rule = rule;
    }

    /** The optimizer's hyper-parameters from bound settings. */
    abstract OptimizerParameters parameters(S settings);

    @Override
    public boolean aggregatesWeightedMean(Map<String, ?> settings) {
        return parameters(settings().bind(settings)).weighted();
    }

    @Override
    public final StrategySession open(Map<String, ?> settings, StrategyContext context) {
        S s = settings().bind(settings);
        return new ServerOptimizerSession(id(), settings().toMap(s), rule, parameters(s));
    }
}
