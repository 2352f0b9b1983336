package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.federation.ExperimentSpec;

/** The evaluate phase of a round: the sites evaluate a model on a split in parallel, against the deadline. */
final class EvaluatePhase {

    private final Services services;

    EvaluatePhase(Services services) {
        this.services = services;
    }

    /** One evaluation to do. */
    record EvalTask(SiteSlot site, ParameterSet parameters, DataSplit split) {
    }

    /** How an evaluation ended: a result or an error. */
    record EvalOutcome(String siteId, EvaluateResult result, String error, long durationMillis) {
    }

    Map<String, EvalOutcome> run(Experiment e, ExperimentSpec spec, int round,
            List<EvalTask> tasks) {
        long deadline = System.nanoTime() + FitPhase.deadlineNanos(spec);
        List<SiteCall<EvaluateResult>> calls = new ArrayList<>();
        Map<String, EvalOutcome> outcomes = new LinkedHashMap<>();
        try {
            for (EvalTask t : tasks) {
                calls.add(t.site().call(services.siteExecutor(),
                        (site, monitor) -> site.evaluate(round, t.parameters(), t.split(), monitor),
                        () -> e.cancelRequested));
            }
            for (int i = 0; i < tasks.size(); i++) {
                EvalTask t = tasks.get(i);
                SiteCall<EvaluateResult> call = calls.get(i);
                String id = t.site().id();
                String what = t.split().name().toLowerCase(java.util.Locale.ROOT);
                if (call == null) {
                    outcomes.put(id, new EvalOutcome(id, null, "evaluation skipped: the site is still busy with an "
                            + "earlier call that overran its deadline", 0));
                    continue;
                }
                try {
                    EvaluateResult r = call.await(deadline, () -> e.cancelRequested);
                    if (r == null || r.metrics() == null) {
                        outcomes.put(id, new EvalOutcome(id, null, what + " evaluation returned no result",
                                call.durationMillis()));
                    } else {
                        outcomes.put(id, new EvalOutcome(id, new EvaluateResult(id, r.sampleCount(), r.metrics()), null,
                                call.durationMillis()));
                    }
                } catch (TimeoutException x) {
                    outcomes.put(id, new EvalOutcome(id, null, what + " evaluation missed the deadline of "
                            + spec.participation().roundDeadlineSeconds() + " s", call.durationMillis()));
                } catch (ExecutionException x) {
                    outcomes.put(id, new EvalOutcome(id, null, what + " evaluation failed: " + describe(x.getCause()),
                            call.durationMillis()));
                }
            }
        } catch (SiteCall.Cancelled c) {
            calls.stream().filter(x -> x != null).forEach(SiteCall::abandon);
            e.dropSession();
            throw RoundAbort.cancel(where(e, round) + " was cancelled during evaluation; it is discarded. "
                    + unchanged(round));
        }
        return outcomes;
    }
}
