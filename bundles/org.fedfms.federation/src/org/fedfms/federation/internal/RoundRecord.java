package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.joinOrNull;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.internal.EvaluatePhase.EvalOutcome;
import org.fedfms.federation.internal.FitPhase.FitOutcome;

/** The end of a round: its result record, and the round made part of the experiment and checkpointed. */
final class RoundRecord {

    private RoundRecord() {
    }

    static RoundResult record(Experiment e, int round, String strategyId, Map<String, Object> settings,
            List<SiteSlot> sites, List<FitOutcome> fits, Map<String, EvalOutcome> evals, Metrics evaluation,
            long modelBytes, long t0, String note) {
        Map<String, FitOutcome> fitBySite = new LinkedHashMap<>();
        fits.forEach(f -> fitBySite.put(f.siteId(), f));
        List<SiteRoundResult> siteResults = new ArrayList<>();
        long down = 0;
        long up = 0;
        for (SiteSlot s : sites) {
            FitOutcome f = fitBySite.get(s.id());
            EvalOutcome ev = evals.get(s.id());
            Metrics evalMetrics = ev != null && ev.result() != null ? ev.result().metrics() : Metrics.empty();
            String evalError = ev == null ? null : ev.error();
            long evalMillis = ev == null ? 0 : ev.durationMillis();
            if (f == null) {
                siteResults.add(new SiteRoundResult(s.id(), SiteRoundResult.Status.SKIPPED, 0, Metrics.empty(),
                        evalMetrics, evalError, 0, 0, evalMillis));
            } else {
                down += f.bytesDown();
                up += f.bytesUp();
                siteResults.add(new SiteRoundResult(s.id(),
                        f.ok() ? SiteRoundResult.Status.OK : SiteRoundResult.Status.FAILED, f.sampleCount(), f.metrics(),
                        evalMetrics, joinOrNull(f.error(), evalError), f.bytesDown(), f.bytesUp(),
                        f.durationMillis() + evalMillis));
            }
        }
        List<FitOutcome> ok = fits.stream().filter(FitOutcome::ok).toList();
        Metrics fitMetrics = Metrics.weightedMean(ok, FitOutcome::metrics, FitOutcome::sampleCount);
        return new RoundResult(e.name, round, strategyId, settings, siteResults, fitMetrics, evaluation, down, up,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Instant.now(), note);
    }

    /** Makes the round part of the experiment and checkpoints it. */
    static void commit(Experiment e, ExperimentSpec spec, RoundResult result, ParameterSet global,
            Map<String, ParameterSet> local) {
        StrategyState state = StrategyState.EMPTY;
        String stateError = null;
        if (e.session != null) {
            try {
                StrategyState s = e.session.state();
                state = s == null ? StrategyState.EMPTY : s;
            } catch (RuntimeException x) {
                stateError = "strategy '" + e.session.strategyId() + "' could not report its state: " + describe(x);
            }
        }
        e.global = global;
        e.localModels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(local));
        e.lastStrategyState = state;
        e.pendingNote = "";
        e.completed(result);
        e.checkpointError = null;
        if (stateError != null) {
            e.checkpointError = "round " + result.round() + " completed but was not checkpointed: " + stateError;
            return;
        }
        try {
            List<RoundResult> history = e.progress().history();
            e.store.write(new CheckpointStore.Checkpoint(result.round(), spec, global, state, history, local));
        } catch (IOException | RuntimeException x) {
            e.checkpointError = "round " + result.round() + " completed but its checkpoint in " + e.directory
                    + " could not be written: " + describe(x) + "; the next completed round writes a full checkpoint";
        }
    }
}
