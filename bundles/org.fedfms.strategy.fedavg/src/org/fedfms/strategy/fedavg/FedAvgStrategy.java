package org.fedfms.strategy.fedavg;

import java.util.Map;

import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.AveragingSettings;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.fedfms.api.strategy.WeightedMeanAggregator;
import org.osgi.service.component.annotations.Component;

/**
 * Federated Averaging (McMahan et al.): the new global model is the mean of the sites' models, weighted by
 * their training sample counts with exact weights, as Flower's FedAvg. The FedFMS reference rounds each weight
 * to two decimals (the last site's set so they sum to 1); {@code roundWeights=true} reproduces that.
 */
@Flower(value = "FedAvg", parameters = {"acceptFailures=accept_failures"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAvgStrategy.ID)
public class FedAvgStrategy extends StatelessStrategy<AveragingSettings> implements AggregationStrategy {

    static final String ID = "fedavg";

    private static final SettingsSchema<AveragingSettings> SCHEMA =
            SettingsSchema.of("strategy " + ID, AveragingSettings.class, AveragingSettings.DEFAULTS);

    public FedAvgStrategy() {
        super(ID, "Federated Averaging: mean of the site models weighted by training sample counts", SCHEMA);
    }

    @Override
    public boolean aggregatesWeightedMean(Map<String, ?> settings) {
        AveragingSettings s = SCHEMA.bind(settings);
        return s.weighted() && !s.roundWeights();
    }

    @Override
    protected StatelessSession.Rounds rounds(AveragingSettings s) {
        return (round, global) -> new WeightedMeanAggregator(round, global, s);
    }
}
