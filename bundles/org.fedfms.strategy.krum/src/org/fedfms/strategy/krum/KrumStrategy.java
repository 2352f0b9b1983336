package org.fedfms.strategy.krum;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * Krum (Blanchard et al., NeurIPS 2017): the new global model is the one site model with the lowest
 * Krum score, i.e. closest to its {@code n − f − 2} nearest neighbours. Tolerates {@code f} Byzantine
 * sites among {@code n > 2f + 2}; with fewer sites it goes on with {@code max(1, n − f − 2)} neighbours, as
 * Flower's Krum. It is Multi-Krum with {@code m = 1}.
 */
@Flower(value = "Krum", parameters = {"f=num_malicious_clients"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + KrumStrategy.ID)
public class KrumStrategy extends StatelessStrategy<KrumStrategy.Settings> implements AggregationStrategy {

    static final String ID = "krum";

    /** Krum's settings, Multi-Krum's first. */
    public record Settings(
            @Setting(description = "number of Byzantine sites to tolerate (guaranteed with more than 2f+2 updates; "
                    + "with fewer the score uses max(1, n-f-2) neighbours, as Flower)", min = 0)
            int f) {
    }

    /** f = 1. */
    static final Settings DEFAULTS = new Settings(1);

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, DEFAULTS);

    public KrumStrategy() {
        super(ID, "Krum: the site model closest to its n-f-2 nearest neighbours (Byzantine-robust)", SCHEMA);
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new MultiKrumRound(round, global, ID, s.f(), 1, false);
    }
}
