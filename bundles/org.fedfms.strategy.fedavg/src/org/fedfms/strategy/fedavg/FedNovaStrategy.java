package org.fedfms.strategy.fedavg;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * FedNova (Wang, Liu, Liang, Joshi and Poor, "Tackling the Objective Inconsistency Problem in Heterogeneous
 * Federated Optimization", NeurIPS 2020), for local SGD steps: each site's update is normalized by its number of
 * local steps {@code τ_k} (the site's fit metric {@code steps}), and the normalized updates are averaged and
 * scaled by the effective step count: {@code global − τ_eff·Σ p_k·(global − w_k)/τ_k},
 * {@code τ_eff = Σ p_k·τ_k}, {@code p_k} the sample-count weights. A site that ran 4× the steps of another no
 * longer pulls the model 4× as far; with equal step counts it is FedAvg.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedNovaStrategy.ID)
public class FedNovaStrategy extends StatelessStrategy<FedNovaStrategy.Settings> implements AggregationStrategy {

    static final String ID = "fednova";

    /** The fit metric with a site's local step count. */
    static final String STEPS = "steps";

    /** FedNova's settings. */
    public record Settings(
            @Setting(description = "weight each site by its training sample count (false: equal weights p_k)")
            boolean weighted) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(true));

    public FedNovaStrategy() {
        super(ID, "FedNova: each site's update normalized by its local step count, then averaged (sites doing "
                + "unequal local work)", SCHEMA);
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new ScaledMeanRound(round, global) {
            private double total;
            private double steps;
            private double normalized;

            @Override
            double weigh(FitResult result, ParameterSet g) {
                double tau = metric(ID, result, STEPS, 1, "FedNova normalizes each update by its local steps");
                double p = s.weighted() ? result.sampleCount() : 1.0;
                total += p;
                steps += p * tau;
                normalized += p / tau;
                return p / tau;
            }

            @Override
            double scale() {
                return (steps / total) * (normalized / total);
            }
        };
    }
}
