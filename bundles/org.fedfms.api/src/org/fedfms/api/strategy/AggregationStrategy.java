package org.fedfms.api.strategy;

import java.util.Map;
import java.util.Optional;

import org.fedfms.api.settings.SettingsSchema;

/**
 * An aggregation strategy: pure policy over {@link org.fedfms.api.ParameterSet}s, published as an OSGi
 * service with an {@code id} property equal to {@link #id()}.
 *
 * <p>The service itself is stateless; each experiment opens its own {@link StrategySession}, which
 * holds whatever state the policy needs across rounds (server optimizer moments, noise generators).
 * The federation owns the loop.
 */
public interface AggregationStrategy {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** Short unique id, e.g. {@code fedavg}. */
    String id();

    /** One sentence on what the strategy does. */
    String description();

    /** The strategy's settings with their defaults, ranges and descriptions. */
    SettingsSchema<?> settings();

    /**
     * The fewest sites delivering updates in one round that a session on {@code settings} can aggregate
     * (Bulyan's {@code f} needs {@code 4f+3}); 1 by default. The federation refuses settings that
     * need more sites than an experiment has when they are given, not after a round has trained.
     *
     * @throws org.fedfms.api.settings.SettingsException if a setting is unknown or invalid
     */
    default int minimumSites(Map<String, ?> settings) {
        return 1;
    }

    /**
     * Whether a session on {@code settings} depends on the sites' updates only through their mean weighted by
     * sample count and their total sample count, so that it aggregates one securely summed update (secure
     * aggregation) exactly as it would the individual ones. False by default: robust and per-site policies (median,
     * Krum, clipping each update) need every update.
     *
     * @throws org.fedfms.api.settings.SettingsException if a setting is unknown or invalid
     */
    default boolean aggregatesWeightedMean(Map<String, ?> settings) {
        return false;
    }

    /**
     * The Flower strategy this one corresponds to, with Flower's name of each setting it has; empty where Flower
     * has no such strategy. By default what the class's {@link Flower} annotation states.
     */
    default Optional<FlowerCounterpart> flower() {
        Flower f = getClass().getAnnotation(Flower.class);
        return f == null ? Optional.empty() : Optional.of(FlowerCounterpart.of(f));
    }

    /**
     * Opens a session for one experiment.
     *
     * @param settings values over the defaults (text or typed), validated against {@link #settings()}
     * @param context services a decorating strategy may need (other strategies by id)
     * @throws org.fedfms.api.settings.SettingsException if a setting is unknown or invalid
     */
    StrategySession open(Map<String, ?> settings, StrategyContext context);
}
