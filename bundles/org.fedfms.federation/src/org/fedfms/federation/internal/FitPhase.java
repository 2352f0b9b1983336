package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.SiteProvider;

/**
 * The fit phase of a round: the chosen sites train in parallel against the round deadline, each update
 * handed to an {@link Acceptor} (the aggregator) in the sites' order, or as they arrive for a provider that
 * asks for it; a site that fails, is late or is still busy is recorded as failed.
 */
final class FitPhase {

    private final Services services;

    FitPhase(Services services) {
        this.services = services;
    }

    /** How a chosen site's fit ended. */
    record FitOutcome(String siteId, boolean ok, long sampleCount, Metrics metrics, String error, long bytesDown,
            long bytesUp, long durationMillis) {

        /** The same outcome with no parameter traffic: centralized and local-only training sends nothing. */
        FitOutcome withoutTransfer() {
            return new FitOutcome(siteId, ok, sampleCount, metrics, error, 0, 0, durationMillis);
        }
    }

    /** Hands an arrived update on; throws if it is unusable. */
    @FunctionalInterface
    interface Acceptor {
        void accept(SiteSlot site, FitResult result);
    }

    /** How a chosen site is asked to fit: by default its {@link org.fedfms.federation.FederatedSite#fit}. */
    @FunctionalInterface
    interface Fitter {
        FitResult fit(SiteSlot slot, int round, ParameterSet start, FitInstructions instructions,
                TrainingMonitor monitor) throws Exception;

        /** Bytes the site's answer {@code r} took on its way up. */
        default long uploadBytes(SiteSlot slot, FitResult r) {
            return r.parameters() == null ? 0 : EncodedSite.uploadBytes(slot.site(), r.parameters());
        }
    }

    List<FitOutcome> run(Experiment e, ExperimentSpec spec, int round, List<SiteSlot> chosen,
            Function<SiteSlot, ParameterSet> startFrom, Function<SiteSlot, FitInstructions> instructions,
            Acceptor acceptor) {
        return run(e, spec, round, chosen, startFrom, instructions, (s, r, start, fi, m) -> s.site().fit(r, start, fi,
                m), acceptor);
    }

    List<FitOutcome> run(Experiment e, ExperimentSpec spec, int round, List<SiteSlot> chosen,
            Function<SiteSlot, ParameterSet> startFrom, Function<SiteSlot, FitInstructions> instructions,
            Fitter fitter, Acceptor acceptor) {
        long deadline = System.nanoTime() + deadlineNanos(spec);
        boolean arrivalOrder = e.setup != null && e.setup.provider() instanceof SiteProvider p
                && p.aggregatesInArrivalOrder();
        Semaphore arrivals = new Semaphore(0);
        List<SiteCall<FitResult>> calls = new ArrayList<>();
        FitOutcome[] outcomes = new FitOutcome[chosen.size()];
        try {
            for (SiteSlot s : chosen) {
                ParameterSet start = startFrom.apply(s);
                FitInstructions fi = ClientDpRounds.instruct(spec, instructions.apply(s));
                calls.add(s.call(services.siteExecutor(), (site, monitor) -> fitter.fit(s, round, start, fi,
                        new ProgressMonitor(monitor, e.name, round, services::publish)),
                        () -> e.cancelRequested, arrivals::release));
            }
            for (int k = 0; k < chosen.size(); k++) {
                int i = arrivalOrder ? nextArrived(e, calls, outcomes, arrivals, deadline) : k;
                SiteSlot s = chosen.get(i);
                SiteCall<FitResult> call = calls.get(i);
                long down = EncodedSite.downloadBytes(s.site(), startFrom.apply(s));
                FitOutcome o;
                if (call == null) {
                    o = failed(s, "still busy with an earlier call that overran its deadline", down, 0, 0);
                } else {
                    o = awaitFit(e, spec, s, call, fitter, acceptor, down, deadline);
                    calls.set(i, null); // its update is aggregated: let it go rather than hold every site's to the end
                }
                outcomes[i] = o;
                services.publish(new FederationEvent.SiteFinished(e.name, round, new SiteRoundResult(o.siteId(),
                        o.ok() ? SiteRoundResult.Status.OK : SiteRoundResult.Status.FAILED, o.sampleCount(),
                        o.metrics(), Metrics.empty(), o.error(), o.bytesDown(), o.bytesUp(), o.durationMillis())));
            }
        } catch (SiteCall.Cancelled c) {
            calls.stream().filter(x -> x != null).forEach(SiteCall::abandon);
            e.dropSession();
            throw RoundAbort.cancel(where(e, round) + " was cancelled; it is discarded. " + unchanged(round));
        }
        return List.of(outcomes);
    }

    /**
     * The index of a chosen site whose fit has ended and is not yet taken, the first in the sites' order
     * among those ready; waits for one until the deadline, after which it is the first still open (whose
     * wait then times out).
     */
    private static int nextArrived(Experiment e, List<SiteCall<FitResult>> calls, FitOutcome[] taken,
            Semaphore arrivals, long deadline) throws SiteCall.Cancelled {
        while (true) {
            int open = -1;
            for (int i = 0; i < taken.length; i++) {
                if (taken[i] == null) {
                    SiteCall<FitResult> call = calls.get(i);
                    if (call == null || call.isDone()) {
                        return i;
                    }
                    open = open < 0 ? i : open;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return open;
            }
            if (e.cancelRequested) {
                throw new SiteCall.Cancelled();
            }
            try {
                arrivals.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new SiteCall.Cancelled();
            }
        }
    }

    private static FitOutcome awaitFit(Experiment e, ExperimentSpec spec, SiteSlot s, SiteCall<FitResult> call,
            Fitter fitter, Acceptor acceptor, long down, long deadline) throws SiteCall.Cancelled {
        FitResult r;
        try {
            r = call.await(deadline, () -> e.cancelRequested);
        } catch (TimeoutException x) {
            return failed(s, "missed the round deadline of " + spec.participation().roundDeadlineSeconds() + " s", down, 0,
                    call.durationMillis());
        } catch (ExecutionException x) {
            return failed(s, "fit failed: " + describe(x.getCause()), down, 0, call.durationMillis());
        }
        if (r == null) {
            return failed(s, "fit returned no result", down, 0, call.durationMillis());
        }
        long up = fitter.uploadBytes(s, r);
        if (!s.id().equals(r.siteId())) {
            return failed(s, "fit returned a result for site '" + r.siteId() + "'", down, up, call.durationMillis());
        }
        if (r.parameters() == null) {
            return failed(s, "fit returned no parameters", down, 0, call.durationMillis());
        }
        try {
            acceptor.accept(s, r);
        } catch (RuntimeException x) {
            return failed(s, "update rejected: " + describe(x), down, up, call.durationMillis());
        }
        return new FitOutcome(s.id(), true, r.sampleCount(), r.metrics() == null ? Metrics.empty() : r.metrics(), null,
                down, up, call.durationMillis());
    }

    private static FitOutcome failed(SiteSlot s, String error, long down, long up, long millis) {
        return new FitOutcome(s.id(), false, 0, Metrics.empty(), error, down, up, millis);
    }

    /** The nanoseconds the sites have for one phase of a round. */
    static long deadlineNanos(ExperimentSpec spec) {
        return (long) Math.min(Long.MAX_VALUE / 4.0, spec.participation().roundDeadlineSeconds() * 1e9);
    }
}
