package org.fedfms.strategy.fedopt;

import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.service.component.annotations.Component;

/**
 * FedYogi: Yogi on the server over the pseudo-gradient mean(site models) - global (Reddi et al. 2021).
 *
 * <p>Defaults: server learning rate 1e-2 and tau 1e-3 (Flower's FedYogi defaults; Flower's FedAdam and
 * FedAdagrad use 1e-1 and 1e-9, meant for training from scratch, which would throw a pretrained SAM far
 * off in one round).
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedYogiStrategy.ID)
public class FedYogiStrategy extends DescribedService<FedAdamStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fedyogi";

    /** Yogi takes Adam's hyper-parameters (eta, beta1, beta2, tau) with the same defaults. */
    private static final SettingsSchema<FedAdamStrategy.Settings> SCHEMA = SettingsSchema.of("strategy " + ID,
            FedAdamStrategy.Settings.class, new FedAdamStrategy.Settings(1e-2, 0.9, 0.99, 1e-3, true));

    public FedYogiStrategy() {
        super(ID, "FedYogi: Yogi on the server over the pseudo-gradient mean(site models) - global", SCHEMA);
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        FedAdamStrategy.Settings s = SCHEMA.bind(settings);
        return new ServerOptimizerSession(ID, SCHEMA.toMap(s), UpdateRule.YOGI,
                new OptimizerParameters(s.serverLearningRate(), s.beta1(), s.beta2(), s.tau(), s.weighted()));
    }
}
