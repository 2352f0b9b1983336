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
 * Bulyan (El Mhamdi, Guerraoui and Rouault, "The Hidden Vulnerability of Distributed Learning in Byzantium",
 * ICML 2018): Krum chooses {@code n − 2f} site models one after the other, then a coordinate-wise trimmed mean
 * around the median of the chosen ones, unweighted, as Flower's Bulyan (see {@link BulyanRound}). Needs
 * {@code n ≥ 4f + 3} sites in every round.
 */
@Flower(value = "Bulyan", parameters = {"f=num_malicious_clients"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + BulyanStrategy.ID)
public class BulyanStrategy extends StatelessStrategy<BulyanStrategy.Settings> implements AggregationStrategy {

    static final String ID = "bulyan";

    /** Bulyan's settings. */
    public record Settings(
            @Setting(description = "number of Byzantine sites to tolerate; each round needs at least 4f+3 updates",
                    min = 0)
            int f) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1));

    public BulyanStrategy() {
        super(ID, "Bulyan: Krum chooses n-2f site models, then a per-coordinate mean of the n-4f values nearest "
                + "their median (Byzantine-robust)", SCHEMA);
    }

    /** {@code 4f+3}. */
    @Override
    public int minimumSites(Map<String, ?> settings) {
        return 4 * SCHEMA.bind(settings).f() + 3;
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new BulyanRound(round, global, ID, s.f());
    }
}
