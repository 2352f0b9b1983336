package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.osgi.service.component.annotations.Component;

/**
 * FedAdam: Adam on the server over the pseudo-gradient mean(site models) - global (Reddi et al. 2021), with
 * Flower's bias correction of the step ({@code eta·sqrt(1 − β2^t)/(1 − β1^t)}, {@code t} = round + 1) unless
 * {@code biasCorrection=false} (the paper's Algorithm 2 as written). Other defaults as
 * {@link SecondMomentSettings#DEFAULTS}.
 */
@Flower(value = "FedAdam", parameters = {"serverLearningRate=eta", "beta1=beta_1", "beta2=beta_2", "tau=tau"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAdamStrategy.ID)
public class FedAdamStrategy extends ServerOptimizerStrategy<FedAdamStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedadam";

    /** FedYogi's settings and the bias correction. */
    public record Settings(
            SecondMomentSettings moments,
            @Setting(description = "scale eta by sqrt(1-beta2^t)/(1-beta1^t) with t = round+1, as Flower's FedAdam "
                    + "(false: no bias correction, the paper's Algorithm 2)")
            boolean biasCorrection) {
    }

    public FedAdamStrategy() {
        super(ID, "FedAdam: Adam on the server over the pseudo-gradient mean(site models) - global",
                SettingsSchema.of("strategy " + ID, Settings.class, new Settings(SecondMomentSettings.DEFAULTS, true)),
                UpdateRule.ADAM);
    }

    @Override
    OptimizerParameters parameters(Settings s) {
        return s.moments().parameters(s.biasCorrection());
    }
}
