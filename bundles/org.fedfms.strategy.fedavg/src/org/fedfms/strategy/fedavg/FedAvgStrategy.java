package org.fedfms.strategy.fedavg;

import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.WeightedMeanAggregator;
import org.osgi.service.component.annotations.Component;

/**
 * Federated Averaging (McMahan et al.): the new global model is the mean of the sites' models,
 * weighted by their training sample counts, as the FedFMS reference does it.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAvgStrategy.ID)
public class FedAvgStrategy extends DescribedService<FedAvgStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedavg";

    /** FedAvg's settings. */
    public record Settings(
            @Setting(description = "weight each site by its training sample count (false: plain mean)")
            boolean weighted,
            @Setting(description = "aggregate the sites that delivered even if others failed (false: keep the "
                    + "global model when any site fails)")
            boolean acceptFailures) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(true, true));

    public FedAvgStrategy() {
        super(ID, "Federated Averaging: mean of the site models weighted by training sample counts", SCHEMA);
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
        return new StatelessSession(ID, SCHEMA.toMap(s),
                (round, global) -> new WeightedMeanAggregator(round, global, s.weighted(), s.acceptFailures()));
    }
}
