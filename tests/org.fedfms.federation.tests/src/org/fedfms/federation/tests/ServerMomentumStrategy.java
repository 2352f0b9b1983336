package org.fedfms.federation.tests;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;

/**
 * Test double with state across rounds (FedAvgM): {@code v ← β·v + (mean − global)},
 * {@code global ← global + v}. Its state (tensors {@code v/<name>}, the step count) must survive a
 * checkpoint for a resumed run to equal an uninterrupted one.
 */
final class ServerMomentumStrategy implements AggregationStrategy {

    static final String ID = "server-momentum";

    /** Its settings. */
    public record Settings(@Setting(description = "momentum", min = 0, max = 1) double beta) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.5));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "test double: FedAvg with server momentum";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        return new Session(SCHEMA.bind(settings));
    }

    private static final class Session implements StrategySession {
        private final Settings settings;
        private ParameterSet velocity = ParameterSet.empty();
        private int steps;

        Session(Settings settings) {
            this.settings = settings;
        }

        @Override
        public String strategyId() {
            return ID;
        }

        @Override
        public Map<String, Object> settings() {
            return SCHEMA.toMap(settings);
        }

        @Override
        public RoundAggregator beginRound(int round, ParameterSet global) {
            WeightedMean mean = new WeightedMean(global);
            return new RoundAggregator() {
                @Override
                public void accept(FitResult result) {
                    UpdateCheck.check(global, result);
                    mean.add(result.parameters(), result.sampleCount());
                }

                @Override
                public int accepted() {
                    return mean.count();
                }

                @Override
                public ParameterSet finish(List<SiteFailure> failures) {
                    ParameterSet avg = mean.mean();
                    ParameterSet.Builder next = ParameterSet.builder();
                    ParameterSet.Builder v = ParameterSet.builder();
                    for (Tensor g : global.tensors()) {
                        float[] a = avg.get(g.name()).values();
                        float[] old = velocity.contains(g.name()) ? velocity.get(g.name()).values() : new float[a.length];
                        float[] nv = new float[a.length];
                        float[] out = new float[a.length];
                        for (int i = 0; i < a.length; i++) {
                            nv[i] = (float) settings.beta() * old[i] + (a[i] - g.values()[i]);
                            out[i] = g.values()[i] + nv[i];
                        }
                        v.add(g.name(), g.shape(), nv);
                        next.add(g.name(), g.shape(), out);
                    }
                    velocity = v.build();
                    steps++;
                    return next.build();
                }
            };
        }

        @Override
        public StrategyState state() {
            ParameterSet.Builder b = ParameterSet.builder();
            velocity.tensors().forEach(t -> b.add(t.renamed("v/" + t.name())));
            return new StrategyState(b.build(), Map.of("steps", Integer.toString(steps)));
        }

        @Override
        public void restore(StrategyState state) {
            ParameterSet.Builder b = ParameterSet.builder();
            state.tensors().tensors().forEach(t -> b.add(t.copy().renamed(t.name().substring(2))));
            velocity = b.build();
            steps = Integer.parseInt(state.values().getOrDefault("steps", "0"));
        }

        int steps() {
            return steps;
        }
    }
}
