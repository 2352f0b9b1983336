package org.fedfms.strategy.krum;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;

/** A round that holds the updates for Krum's scoring (Multi-Krum, Krum, Bulyan): what they share. */
abstract class KrumRound implements RoundAggregator {

    final int round;
    final ParameterSet global;
    final String strategyId;
    final int f;
    final KrumSelection selection;

    /**
     * @param strategyId named in messages
     * @param f number of Byzantine sites tolerated
     */
    KrumRound(int round, ParameterSet global, String strategyId, int f) {
        this.round = round;
        this.global = global;
        this.strategyId = strategyId;
        this.f = f;
        this.selection = new KrumSelection(round, global);
    }

    @Override
    public final void accept(FitResult result) {
        selection.accept(result);
    }

    @Override
    public final int accepted() {
        return selection.accepted();
    }
}
