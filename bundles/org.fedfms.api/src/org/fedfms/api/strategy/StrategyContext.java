package org.fedfms.api.strategy;

import java.util.Optional;

/**
 * What the federation offers a strategy when opening a session: access to the other strategies
 * present, so that wrappers (differential privacy, ...) can decorate one chosen by id.
 */
@FunctionalInterface
public interface StrategyContext {

    /** The strategy service with that id, if present now. */
    Optional<AggregationStrategy> strategy(String id);

    /** A context that knows no strategies. */
    static StrategyContext none() {
        return id -> Optional.empty();
    }
}
