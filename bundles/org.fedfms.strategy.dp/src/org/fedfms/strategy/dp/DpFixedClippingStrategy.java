package org.fedfms.strategy.dp;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.service.component.annotations.Component;

/**
 * Central differential privacy with server-side fixed clipping (Flower's
 * DifferentialPrivacyServerSideFixedClipping; McMahan et al. 2018, Andrew et al. 2021), decorating
 * any strategy chosen by id: each site's update {@code site − global} is clipped to L2 norm
 * {@code clippingNorm}, the clipped models are aggregated by the inner strategy, and Gaussian noise
 * with standard deviation {@code noiseMultiplier · clippingNorm / n} is added to every parameter of
 * the result, {@code n} being the number of sites aggregated.
 *
 * <p>The inner strategy's own settings are given with the prefix {@code inner.}, e.g.
 * {@code inner=fedadam inner.serverLearningRate=0.001}.
 */
@Flower(value = "DifferentialPrivacyServerSideFixedClipping", parameters = {
    "inner=strategy", "clippingNorm=clipping_norm", "noiseMultiplier=noise_multiplier"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + DpFixedClippingStrategy.ID)
public class DpFixedClippingStrategy extends DescribedService<DpFixedClippingStrategy.Settings> implements AggregationStrategy {

    static final String ID = "dp-fixed-clipping";

    /** Prefix of the settings passed on to the inner strategy. */
    public static final String INNER_PREFIX = "inner.";

    /** The wrapper's own settings. */
    public record Settings(
            @Setting(description = "id of the strategy that aggregates the clipped updates; its settings are "
                    + "given as inner.<key>=value")
            String inner,
            @Setting(description = "L2 norm, over all trained parameters, each site's update is clipped to (> 0)",
                    min = 0)
            double clippingNorm,
            @Setting(description = "noise standard deviation per parameter, in units of clippingNorm / number "
                    + "of sites aggregated (0: clipping only, no privacy)", min = 0)
            double noiseMultiplier,
            @Setting(description = "seed of the noise (-1: a random seed, kept in the session state so a "
                    + "resumed run draws the same noise)", min = -1)
            long seed) {

        public Settings {
            if (inner == null || inner.isBlank()) {
                throw new IllegalArgumentException("inner must name a strategy");
            }
            if (!(clippingNorm > 0) || Double.isInfinite(clippingNorm)) {
                throw new IllegalArgumentException("clippingNorm must be positive and finite, got " + clippingNorm);
            }
        }
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings("fedavg", 1.0, 1.0, -1));

    public DpFixedClippingStrategy() {
        super(ID, "Differential privacy: clip site updates to clippingNorm, aggregate with the inner strategy, "
                + "add Gaussian noise", SCHEMA);
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Map<String, Object> own = new LinkedHashMap<>();
        Map<String, Object> innerSettings = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(INNER_PREFIX)) {
                innerSettings.put(k.substring(INNER_PREFIX.length()), v);
            } else {
                own.put(k, v);
            }
        });
        Settings s = SCHEMA.bind(own);
        if (s.inner().equals(ID)) {
            throw new SettingsException(SCHEMA.subject(), List.of("'inner' = '" + ID + "': the wrapper cannot "
                    + "decorate itself; choose the strategy that aggregates, e.g. fedavg"));
        }
        AggregationStrategy inner = context.strategy(s.inner()).orElseThrow(() -> new SettingsException(
                SCHEMA.subject(), List.of("'inner' = '" + s.inner() + "': no strategy with that id is present now "
                        + "(start its bundle or choose another)")));
        StrategySession innerSession = inner.open(innerSettings, context);
        long seed = s.seed() >= 0 ? s.seed() : new SecureRandom().nextLong() & Long.MAX_VALUE;
        return new DpSession(ID, SCHEMA.toMap(s), s.clippingNorm(), s.noiseMultiplier(), seed, innerSession);
    }
}
