package org.fedfms.strategy.krum;

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
import org.fedfms.api.strategy.WeightedMean;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-Krum (Blanchard et al., NeurIPS 2017): the {@code m} site models with the lowest Krum scores
 * are averaged, weighted by their sample counts as Flower's MultiKrum does.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + MultiKrumStrategy.ID)
public class MultiKrumStrategy implements AggregationStrategy {

    static final String ID = "multikrum";

    /** Multi-Krum's settings. */
    public record Settings(
            @Setting(description = "number of Byzantine sites to tolerate; each round needs more than 2f+2 "
                    + "updates", min = 0)
            int f,
            @Setting(description = "number of best-scored site models averaged (0: n-f)", min = 0)
            int m,
            @Setting(description = "weight the selected sites by their training sample counts (false: plain mean)")
            boolean weighted) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1, 0, true));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Multi-Krum: mean of the m site models with the lowest Krum scores (Byzantine-robust)";
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
            public RoundAggregator beginRound(int round, ParameterSet global) {
                KrumSelection selection = new KrumSelection(round, global);
                return new RoundAggregator() {
                    @Override
                    public void accept(FitResult result) {
                        selection.accept(result);
                    }

                    @Override
                    public int accepted() {
                        return selection.accepted();
                    }

                    @Override
                    public ParameterSet finish(List<SiteFailure> failures) {
                        List<KrumSelection.Scored> ranked = selection.ranked(ID, s.f());
                        int n = ranked.size();
                        int keep = s.m() == 0 ? n - s.f() : s.m();
                        if (keep > n) {
                            throw new AggregationException("round " + round + ": " + ID + " with m=" + keep
                                    + " needs at least that many updates, got " + n);
                        }
                        WeightedMean mean = new WeightedMean(global);
                        for (KrumSelection.Scored sc : ranked.subList(0, keep)) {
                            FitResult r = sc.result();
                            mean.add(r.parameters(), s.weighted() ? r.sampleCount() : 1.0);
                        }
                        selection.clear();
                        return mean.mean();
                    }
                };
            }
        };
    }
}
