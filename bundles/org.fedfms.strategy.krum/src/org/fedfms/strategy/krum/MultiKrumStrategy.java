package org.fedfms.strategy.krum;

import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-Krum (Blanchard et al., NeurIPS 2017): the {@code m} site models with the lowest Krum scores
 * are averaged, weighted by their sample counts as Flower's MultiKrum does. {@code m = 0} averages the
 * {@code n − f} best of the round's {@code n} updates (Flower's {@code to_keep=0} is plain Krum instead).
 */
@Flower(value = "Krum", parameters = {"f=num_malicious_clients", "m=num_clients_to_keep"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + MultiKrumStrategy.ID)
public class MultiKrumStrategy extends StatelessStrategy<MultiKrumStrategy.Settings> implements AggregationStrategy {

    static final String ID = "multikrum";

    /** Multi-Krum's settings. */
    public record Settings(
            KrumStrategy.Settings krum,
            @Setting(description = "number of best-scored site models averaged; 0: n-f of the round's n updates "
                    + "(in Flower to_keep=0 means plain Krum: use krum, or m=1, for that)", min = 0)
            int m,
            @Setting(description = "weight the selected sites by their training sample counts (false: plain mean)")
            boolean weighted) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(KrumStrategy.DEFAULTS, 0, true));

    public MultiKrumStrategy() {
        super(ID, "Multi-Krum: mean of the m site models with the lowest Krum scores (Byzantine-robust)", SCHEMA);
    }

    /** {@code m} updates to average, or {@code f+1} for {@code m = 0} (so that {@code n − f} is at least 1). */
    @Override
    public int minimumSites(Map<String, ?> settings) {
        Settings s = SCHEMA.bind(settings);
        return s.m() == 0 ? s.krum().f() + 1 : s.m();
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new MultiKrumRound(round, global, ID, s.krum().f(), s.m(), s.weighted());
    }
}
