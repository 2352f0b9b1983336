package org.fedfms.api.strategy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Flower strategy a strategy corresponds to, for Flower users finding their way: the class in
 * {@code flwr.server.strategy} and, for each of our settings that Flower has, the name of its constructor
 * parameter. Settings missing from the map have no Flower parameter (Flower fixes the behaviour).
 *
 * @param strategy Flower's class name, e.g. {@code FedAdam}
 * @param parameters our setting key to Flower's parameter name, e.g. {@code serverLearningRate → eta}
 */
public record FlowerCounterpart(String strategy, Map<String, String> parameters) {

    public FlowerCounterpart {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The counterpart a {@link Flower} annotation states. */
    public static FlowerCounterpart of(Flower flower) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : flower.parameters()) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("@Flower(" + flower.value() + "): '" + pair + "' is not key=name");
            }
            parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new FlowerCounterpart(flower.value(), parameters);
    }

    /** Flower's parameter for our setting {@code key}, if Flower has one. */
    public Optional<String> parameter(String key) {
        return Optional.ofNullable(parameters.get(key));
    }
}
