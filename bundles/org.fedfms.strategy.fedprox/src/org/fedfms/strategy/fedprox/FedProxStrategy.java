package org.fedfms.strategy.fedprox;

import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.AveragingSettings;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.fedfms.api.strategy.WeightedMeanAggregator;
import org.osgi.service.component.annotations.Component;

/**
 * FedProx (Li et al., 2020): the server aggregates like FedAvg, and every site is told the proximal
 * coefficient {@code mu}, with which its trainer adds {@code mu/2 · ||w − w_global||²} to the local loss.
 */
@Flower(value = "FedProx", parameters = {"mu=proximal_mu", "acceptFailures=accept_failures"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedProxStrategy.ID)
public class FedProxStrategy extends StatelessStrategy<FedProxStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedprox";

    /** FedProx's settings: {@code mu}, then FedAvg's. */
    public record Settings(
            @Setting(description = "proximal term coefficient mu sent to the sites (0: plain FedAvg training)",
                    min = 0)
            double mu,
            AveragingSettings averaging) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.01, AveragingSettings.DEFAULTS));

    public FedProxStrategy() {
        super(ID, "FedProx: FedAvg on the server, proximal term mu sent to the sites' local training", SCHEMA);
    }

    @Override
    public boolean aggregatesWeightedMean(Map<String, ?> settings) {
        AveragingSettings s = SCHEMA.bind(settings).averaging();
        return s.weighted() && !s.roundWeights();
    }

    @Override
    protected FitInstructions instructions(Settings s) {
        return new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, s.mu()));
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new WeightedMeanAggregator(round, global, s.averaging());
    }
}
