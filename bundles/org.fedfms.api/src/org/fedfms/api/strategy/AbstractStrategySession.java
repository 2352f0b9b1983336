package org.fedfms.api.strategy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every session with state of its own holds the same way: the strategy's id and the bound settings.
 * Stateless strategies use {@link StatelessSession} instead.
 */
public abstract class AbstractStrategySession implements StrategySession {

    private final String strategyId;
    private final Map<String, Object> settings;

    /**
     * @param strategyId the strategy's id
     * @param settings the bound settings, by key (copied, order kept)
     */
    protected AbstractStrategySession(String strategyId, Map<String, Object> settings) {
        this.strategyId = strategyId;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    @Override
    public final String strategyId() {
        return strategyId;
    }

    @Override
    public Map<String, Object> settings() {
        return settings;
    }
}
