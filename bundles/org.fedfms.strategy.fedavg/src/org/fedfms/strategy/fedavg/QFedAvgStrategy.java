package org.fedfms.strategy.fedavg;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * q-FedAvg (Li, Sanjabi, Beirami and Smith, "Fair Resource Allocation in Federated Learning", ICLR 2020), with
 * Flower's QFedAvg formulas but each site's own fit {@code loss} metric as its loss {@code L_k}: with
 * {@code Δ_k = (global − w_k)/learningRate}, the step is {@code Σ L_k^q·Δ_k / Σ h_k},
 * {@code h_k = q·L_k^(q−1)·|Δ_k|² + L_k^q/learningRate} ({@code L_k + 1e-10}, as Flower). Sites with a higher
 * loss weigh more; {@code q = 0} is the plain mean.
 */
@Flower(value = "QFedAvg", parameters = {"q=q_param", "learningRate=qffl_learning_rate"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + QFedAvgStrategy.ID)
public class QFedAvgStrategy extends StatelessStrategy<QFedAvgStrategy.Settings> implements AggregationStrategy {

    static final String ID = "qfedavg";

    /** The fit metric q-FedAvg weighs sites by. */
    static final String LOSS = "loss";

    /** q-FedAvg's settings. */
    public record Settings(
            @Setting(description = "fairness q >= 0: sites weigh by their fit loss to the power q (0: plain mean)",
                    min = 0)
            double q,
            @Setting(description = "the sites' local learning rate L that turns an update into a gradient "
                    + "(global - site)/L (> 0)", min = 0, minExclusive = true)
            double learningRate) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.2, 0.1));

    public QFedAvgStrategy() {
        super(ID, "q-FedAvg: fair averaging, sites with a higher fit loss weigh more (q-FFL)", SCHEMA);
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new ScaledMeanRound(round, global) {
            private double weights;
            private double h;

            @Override
            double weigh(FitResult result, ParameterSet g) {
                double loss = metric(ID, result, LOSS, 0, "q-FFL weighs each site by its loss") + 1e-10;
                double lq = Math.pow(loss, s.q());
                double norm2 = g.squaredDistance(result.parameters()) / (s.learningRate() * s.learningRate());
                double weight = lq / s.learningRate();
                double hk = s.q() * Math.pow(loss, s.q() - 1) * norm2 + weight;
                if (!Double.isFinite(weight) || !Double.isFinite(hk)) {
                    throw new AggregationException("site " + result.siteId() + ": its q-FFL weight overflows (loss "
                            + loss + ", q " + s.q() + "); lower q");
                }
                weights += weight;
                h += hk;
                return weight;
            }

            @Override
            double scale() {
                return weights / h;
            }
        };
    }
}
