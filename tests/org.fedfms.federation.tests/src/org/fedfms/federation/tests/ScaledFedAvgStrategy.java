package org.fedfms.federation.tests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.Tensor;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.strategy.WeightedMean;

/**
 * Test double registered by the tests: {@code global + scale · (weighted mean − global)}, and the
 * proximal term {@code mu} sent to every site when positive. With {@code scale = 0} the global model
 * stays exactly as it was, which makes a swap's effect visible bit for bit.
 */
final class ScaledFedAvgStrategy implements AggregationStrategy {

    static final String ID = "scaled-fedavg";

    /** Its settings. */
    public record Settings(
            @Setting(description = "fraction of the step to the mean", min = 0, max = 1) double scale,
            @Setting(description = "proximal term sent to the sites", min = 0) double mu) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1.0, 0.0));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "test double: a scaled step towards the weighted mean";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
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
            public Map<String, FitInstructions> configureFit(int round, ParameterSet global, List<SiteInfo> sites) {
                Map<String, FitInstructions> m = new LinkedHashMap<>();
                if (s.mu() > 0) {
                    sites.forEach(site -> m.put(site.siteId(),
                            new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, s.mu()))));
                }
                return m;
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
                        if (s.scale() == 0) {
                            return global;
                        }
                        ParameterSet avg = mean.mean();
                        ParameterSet.Builder b = ParameterSet.builder();
                        for (Tensor g : global.tensors()) {
                            float[] a = avg.get(g.name()).values();
                            float[] out = new float[a.length];
                            for (int i = 0; i < a.length; i++) {
                                out[i] = g.values()[i] + (float) s.scale() * (a[i] - g.values()[i]);
                            }
                            b.add(g.name(), g.shape(), out);
                        }
                        return b.build();
                    }
                };
            }
        };
    }
}
