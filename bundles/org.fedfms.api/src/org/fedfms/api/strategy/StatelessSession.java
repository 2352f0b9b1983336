package org.fedfms.api.strategy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;

/**
 * The session of a strategy that keeps nothing between rounds: its settings, the same fit instructions for
 * every chosen site, and a new aggregator per round. Strategies with state (server optimizers, privacy
 * accounting) write their own session.
 *
 * @param strategyId the strategy's id
 * @param settings the bound settings, by key
 * @param instructions what every chosen site is told ({@link FitInstructions#none()} for nothing)
 * @param rounds makes each round's aggregator
 */
public record StatelessSession(String strategyId, Map<String, Object> settings, FitInstructions instructions,
        Rounds rounds) implements StrategySession {

    /** Makes the aggregator of one round. */
    @FunctionalInterface
    public interface Rounds {
        RoundAggregator begin(int round, ParameterSet global);
    }

    public StatelessSession {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A session that gives the sites no instructions. */
    public StatelessSession(String strategyId, Map<String, Object> settings, Rounds rounds) {
        this(strategyId, settings, FitInstructions.none(), rounds);
    }

    @Override
    public Map<String, FitInstructions> configureFit(int round, ParameterSet global, List<SiteInfo> sites) {
        if (instructions.equals(FitInstructions.none())) {
            return Map.of();
        }
        Map<String, FitInstructions> m = new LinkedHashMap<>();
        for (SiteInfo s : sites) {
            m.put(s.siteId(), instructions);
        }
        return m;
    }

    @Override
    public RoundAggregator beginRound(int round, ParameterSet global) {
        return rounds.begin(round, global);
    }
}
