package org.fedfms.api.strategy;

import java.util.Map;

import org.fedfms.api.ParameterSet;

/**
 * A strategy session's state for checkpoints.
 *
 * @param tensors tensor state (e.g. {@code m/<name>} and {@code v/<name>} of a server optimizer)
 * @param values scalar state (step counters, random generator seeds) as text
 */
public record StrategyState(ParameterSet tensors, Map<String, String> values) {

    /** No state. */
    public static final StrategyState EMPTY = new StrategyState(ParameterSet.empty(), Map.of());

    public StrategyState {
        values = Map.copyOf(values);
    }
}
