package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.osgi.service.component.annotations.Component;

/**
 * FedYogi: Yogi on the server over the pseudo-gradient mean(site models) - global (Reddi et al. 2021), without
 * bias correction, as Flower's FedYogi. Defaults as {@link SecondMomentSettings#DEFAULTS}.
 */
@Flower(value = "FedYogi", parameters = {"serverLearningRate=eta", "beta1=beta_1", "beta2=beta_2", "tau=tau"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedYogiStrategy.ID)
public class FedYogiStrategy extends ServerOptimizerStrategy<SecondMomentSettings> implements AggregationStrategy {

    static final String ID = "fedyogi";

    public FedYogiStrategy() {
        super(ID, "FedYogi: Yogi on the server over the pseudo-gradient mean(site models) - global",
                SettingsSchema.of("strategy " + ID, SecondMomentSettings.class, SecondMomentSettings.DEFAULTS),
                UpdateRule.YOGI);
    }

    @Override
    OptimizerParameters parameters(SecondMomentSettings s) {
        return s.parameters(false);
    }
}
