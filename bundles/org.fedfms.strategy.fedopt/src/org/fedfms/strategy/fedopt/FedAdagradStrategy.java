package org.fedfms.strategy.fedopt;

import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.service.component.annotations.Component;

/**
 * FedAdagrad: Adagrad on the server over the pseudo-gradient mean(site models) - global (Reddi et al. 2021).
 *
 * <p>Defaults: server learning rate 1e-2 and tau 1e-3 (Flower's FedYogi defaults; Flower's FedAdam and
 * FedAdagrad use 1e-1 and 1e-9, meant for training from scratch, which would throw a pretrained SAM far
 * off in one round); beta1 0, as in Flower, makes m the pseudo-gradient itself.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedAdagradStrategy.ID)
public class FedAdagradStrategy extends DescribedService<FedAdagradStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedadagrad";

    /** The server optimizer's settings. */
    public record Settings(
            @Setting(description = "server learning rate eta", min = 0)
            double serverLearningRate,
            @Setting(description = "first-moment (momentum) decay beta1, below 1", min = 0, max = 1)
            double beta1,
            @Setting(description = "adaptivity tau > 0, added to the root of the second moment", min = 0)
            double tau,
            @Setting(description = "weight each site by its training sample count in the pseudo-gradient "
                    + "(false: plain mean)")
            boolean weighted) {

        public Settings {
            if (beta1 >= 1) {
                throw new IllegalArgumentException("beta1 must be below 1, got " + beta1);
            }
            if (!(tau > 0)) {
                throw new IllegalArgumentException("tau must be positive (it keeps m/(sqrt(v)+tau) finite), got "
                        + tau);
            }
        }
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1e-2, 0.0, 1e-3, true));

    public FedAdagradStrategy() {
        super(ID, "FedAdagrad: Adagrad on the server over the pseudo-gradient mean(site models) - global", SCHEMA);
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
        return new ServerOptimizerSession(ID, SCHEMA.toMap(s), UpdateRule.ADAGRAD,
                new OptimizerParameters(s.serverLearningRate(), s.beta1(), 0, s.tau(), s.weighted()));
    }
}
