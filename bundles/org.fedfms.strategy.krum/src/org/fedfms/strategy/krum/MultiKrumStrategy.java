package org.fedfms.strategy.krum;

import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-Krum (Blanchard et al., NeurIPS 2017): the {@code m} site models with the lowest Krum scores
 * are averaged, weighted by their sample counts as Flower's MultiKrum does.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + MultiKrumStrategy.ID)
public class MultiKrumStrategy extends DescribedService<MultiKrumStrategy.Settings> implements AggregationStrategy {

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

    public MultiKrumStrategy() {
        super(ID, "Multi-Krum: mean of the m site models with the lowest Krum scores (Byzantine-robust)", SCHEMA);
    }

    /** {@code 2f+3}: Krum scores each update by its {@code n-f-2} nearest neighbours. */
    @Override
    public int minimumSites(Map<String, ?> settings) {
        return 2 * SCHEMA.bind(settings).f() + 3;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
        return new StatelessSession(ID, SCHEMA.toMap(s), (round, global) -> new MultiKrumRound(round, global, ID, s.f(), s.m(), s.weighted()));
    }
}
