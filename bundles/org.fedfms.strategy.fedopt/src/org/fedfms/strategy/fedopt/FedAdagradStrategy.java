package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.osgi.service.component.annotations.Component;

/**
 * FedAdagrad: Adagrad on the server over the pseudo-gradient mean(site models) - global (Reddi et al. 2021).
 * Defaults as {@link OptimizerSettings#defaults}; beta1 0, as in Flower, makes m the pseudo-gradient itself.
 */
@Flower(value = "FedAdagrad", parameters = {"serverLearningRate=eta", "tau=tau"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAdagradStrategy.ID)
public class FedAdagradStrategy extends ServerOptimizerStrategy<OptimizerSettings> implements AggregationStrategy {

    static final String ID = "fedadagrad";

    public FedAdagradStrategy() {
        super(ID, "FedAdagrad: Adagrad on the server over the pseudo-gradient mean(site models) - global",
                SettingsSchema.of("strategy " + ID, OptimizerSettings.class, OptimizerSettings.defaults(0.0)),
                UpdateRule.ADAGRAD);
    }

    @Override
    OptimizerParameters parameters(OptimizerSettings s) {
        return new OptimizerParameters(s.step().serverLearningRate(), s.beta1(), 0, s.tau(), s.step().weighted(), false);
    }
}
