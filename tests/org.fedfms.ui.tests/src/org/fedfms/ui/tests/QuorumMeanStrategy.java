package org.fedfms.ui.tests;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;

/**
 * A strategy the tests register and withdraw themselves: the mean of the site models, each weighted by its
 * sample count raised to {@code weightExponent}, and only when at least {@code quorum} sites delivered.
 * Its settings cover every kind of form input: a ranged double, a ranged int and a choice.
 */
final class QuorumMeanStrategy implements AggregationStrategy {

    static final String ID = "quorum-mean";

    record Settings(
            @Setting(description = "weight = sampleCount^weightExponent (0: plain mean, 1: FedAvg)", min = 0, max = 1)
            double weightExponent,
            @Setting(description = "fewest sites that must deliver for the round to count", min = 1, max = 64)
            int quorum,
            @Setting(description = "what a round below quorum does", choices = {"keep", "fail"})
            String belowQuorum) {
    }

    static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1.0, 2, "keep"));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Sample-weighted mean of the site models, counted only when a quorum of sites delivered";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> values, StrategyContext context) {
        Settings s = SCHEMA.bind(values);
        return new StrategySession() {
            @Override
            public String strategyId() {
                return ID;
            }

            @Override
            public Map<String, Object> settings() {
                return SCHEMA.toMap(s);
            }

            @Override
            public RoundAggregator beginRound(int round, ParameterSet global) {
                WeightedMean mean = new WeightedMean(global);
                return new RoundAggregator() {
                    @Override
                    public void accept(FitResult result) {
                        UpdateCheck.check(global, result);
                        mean.add(result.parameters(), Math.pow(result.sampleCount(), s.weightExponent()));
                    }

                    @Override
                    public int accepted() {
                        return mean.count();
                    }

                    @Override
                    public ParameterSet finish(List<SiteFailure> failures) {
                        if (mean.count() >= s.quorum()) {
                            return mean.mean();
                        }
                        if ("fail".equals(s.belowQuorum())) {
                            throw new AggregationException("round " + round + ": " + mean.count()
                                    + " sites delivered, quorum is " + s.quorum());
                        }
                        return global;
                    }
                };
            }
        };
    }
}
