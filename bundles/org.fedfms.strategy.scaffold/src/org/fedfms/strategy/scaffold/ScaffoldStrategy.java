package org.fedfms.strategy.scaffold;

import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.service.component.annotations.Component;

/**
 * SCAFFOLD (Karimireddy, Kale, Mohri, Reddi, Stich and Suresh, "SCAFFOLD: Stochastic Controlled Averaging for
 * Federated Learning", ICML 2020), option II: the server keeps a control variate {@code c}, each site its own
 * {@code c_i}; sites correct every local gradient by {@code c − c_i}, which removes the drift of sites whose data
 * (or amount of local work) differ. The server step is {@code x += η_g·mean(Δy_i)},
 * {@code c += (|S|/N)·mean(Δc_i)} over the sites {@code S} of the round. {@code c} travels to the sites and
 * {@code Δc_i} back as tensors beside the model ({@link org.fedfms.api.strategy.ControlVariates}); the sites keep
 * {@code c_i} themselves. Flower has no SCAFFOLD in its core strategies.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + ScaffoldStrategy.ID)
public class ScaffoldStrategy extends DescribedService<ScaffoldStrategy.Settings> implements AggregationStrategy {

    static final String ID = "scaffold";

    /** SCAFFOLD's settings. */
    public record Settings(
            @Setting(description = "server learning rate eta_g: the global model moves by eta_g times the mean "
                    + "site update (1: to the sites' mean model)", min = 0, max = 100)
            double serverLearningRate,
            @Setting(description = "N, the number of sites in the federation, for c += (|S|/N)·mean(dc_i); 0: the "
                    + "sites of each round (full participation, |S|/N = 1)", min = 0, max = 1_000_000)
            int totalSites) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(1.0, 0));

    public ScaffoldStrategy() {
        super(ID, "SCAFFOLD: control variates correct each site's local gradients for client drift (server "
                + "variate here, each site's own kept at the site)", SCHEMA);
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
        return new ScaffoldSession(ID, SCHEMA.toMap(s), s);
    }
}
