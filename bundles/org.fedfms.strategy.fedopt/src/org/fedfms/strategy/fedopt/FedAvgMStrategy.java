package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.osgi.service.component.annotations.Component;

/**
 * FedAvgM (Hsu, Qi and Brown, "Measuring the Effects of Non-Identical Data Distribution for Federated Visual
 * Classification", 2019): SGD with momentum on the server over the pseudo-gradient, as Flower's FedAvgM. With
 * {@code p = global − mean(site models)}: {@code momentum ← serverMomentum·momentum + p} (just {@code p} in the
 * first step), {@code global ← global − serverLearningRate·momentum}. The momentum is the session's state.
 *
 * <p>Defaults 0.1 and 0.9, an effective step {@code serverLearningRate/(1 − serverMomentum)} of 1, the setting
 * Hsu et al. found best (Flower's 1.0 and 0.0 are plain FedAvg).
 */
@Flower(value = "FedAvgM", parameters = {"serverLearningRate=server_learning_rate", "serverMomentum=server_momentum"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAvgMStrategy.ID)
public class FedAvgMStrategy extends ServerOptimizerStrategy<FedAvgMStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedavgm";

    /** FedAvgM's settings: the server step, and its momentum. */
    public record Settings(
            ServerStep step,
            @Setting(description = "server momentum, below 1 (0: none)", min = 0, max = 1, maxExclusive = true)
            double serverMomentum) {
    }

    public FedAvgMStrategy() {
        super(ID, "FedAvgM: SGD with momentum on the server over the pseudo-gradient global - mean(site models)",
                SettingsSchema.of("strategy " + ID, Settings.class, new Settings(new ServerStep(0.1, true), 0.9)), UpdateRule.AVGM);
    }

    @Override
    OptimizerParameters parameters(Settings s) {
        return new OptimizerParameters(s.step().serverLearningRate(), s.serverMomentum(), 0, 0, s.step().weighted(),
                false);
    }
}
