package org.fedfms.federation.tests;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.settings.SettingsSchema;

/** Test double: {@link ScaledFedAvgStrategy} that records every parameter name it is given. */
final class NameRecordingStrategy implements AggregationStrategy {

    static final String ID = "name-recording";

    private final ScaledFedAvgStrategy inner = new ScaledFedAvgStrategy();
    final Set<String> seen = ConcurrentHashMap.newKeySet();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "test double: scaled-fedavg recording the parameter names it sees";
    }

    @Override
    public SettingsSchema<?> settings() {
        return inner.settings();
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        StrategySession s = inner.open(settings, context);
        return new StrategySession() {
            @Override
            public String strategyId() {
                return ID;
            }

            @Override
            public Map<String, Object> settings() {
                return s.settings();
            }

            @Override
            public RoundAggregator beginRound(int round, ParameterSet global) {
                seen.addAll(global.names());
                RoundAggregator a = s.beginRound(round, global);
                return new RoundAggregator() {
                    @Override
                    public void accept(FitResult result) {
                        seen.addAll(result.parameters().names());
                        a.accept(result);
                    }

                    @Override
                    public int accepted() {
                        return a.accepted();
                    }

                    @Override
                    public ParameterSet finish(List<SiteFailure> failures) {
                        return a.finish(failures);
                    }
                };
            }
        };
    }
}
