package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.join;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.util.TreeMap;

import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.federation.ExperimentSpec;

/** Keeps an experiment's strategy session bound to the strategy service present now. */
final class StrategyBinding {

    private final Services services;

    StrategyBinding(Services services) {
        this.services = services;
    }

    /**
     * Makes the experiment's session that of the strategy present now: applies a pending swap, notices a
     * strategy that left (pause) or whose service was replaced (opened again, state restored).
     */
    void ensure(Experiment e, ExperimentSpec spec, int round) {
        AggregationStrategy present = services.strategy(spec.strategy());
        Experiment.PendingSwap swap = e.takePendingSwap();
        if (swap != null) {
            e.dropSession();
            e.lastStrategyState = StrategyState.EMPTY;
            e.pendingNote = swap.note();
            if (swap.strategy() == present) {
                e.session = swap.session();
                e.sessionStrategy = present;
                return;
            }
        }
        if (present == null) {
            boolean wasBound = e.sessionStrategy != null;
            throw RoundAbort.pause(where(e, round) + " cannot start: strategy '" + spec.strategy() + "' is "
                    + (wasBound ? "no longer" : "not") + " present (its bundle stopped or is not installed; present: "
                    + services.strategyIds() + "). Swap the strategy or restart its bundle, then resume; the experiment "
                    + "keeps the model of round " + (round - 1) + ".");
        }
        if (e.session != null && e.sessionStrategy == present) {
            return;
        }
        boolean rebound = e.sessionStrategy != null;
        StrategySession session;
        try {
            session = present.open(spec.strategySettings(), services.strategyContext());
            if (!e.lastStrategyState.tensors().isEmpty() || !e.lastStrategyState.values().isEmpty()) {
                session.restore(e.lastStrategyState);
            }
        } catch (RuntimeException x) {
            throw RoundAbort.pause(where(e, round) + " cannot start: strategy '" + spec.strategy()
                    + "' cannot open a session with settings " + new TreeMap<>(spec.strategySettings()) + ": "
                    + describe(x) + ". Swap the strategy or its settings, then resume.", x);
        }
        e.session = session;
        e.sessionStrategy = present;
        if (rebound) {
            e.pendingNote = join(e.pendingNote, "strategy '" + spec.strategy() + "' bound again (its service was "
                    + "replaced); session state of round " + (round - 1) + " restored");
        }
    }
}
