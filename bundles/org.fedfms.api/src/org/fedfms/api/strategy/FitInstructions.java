package org.fedfms.api.strategy;

import java.util.Map;

/**
 * What a strategy asks of a site for one fit round, as named values (e.g. {@code mu} for FedProx's
 * proximal term). Trainers honour the keys they know.
 *
 * @param values instruction name to value (numbers, booleans or text)
 */
public record FitInstructions(Map<String, Object> values) {

    /** Key of FedProx's proximal term coefficient. */
    public static final String PROXIMAL_MU = "mu";

    private static final FitInstructions NONE = new FitInstructions(Map.of());

    public FitInstructions {
        values = Map.copyOf(values);
    }

    public static FitInstructions none() {
        return NONE;
    }

    /** The numeric value of {@code key}, or {@code fallback}. */
    public double getDouble(String key, double fallback) {
        Object v = values.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }
}
