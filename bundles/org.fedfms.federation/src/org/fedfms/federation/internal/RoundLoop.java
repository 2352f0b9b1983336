package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.join;
import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.SiteProvider;
import org.fedfms.federation.internal.EvaluatePhase.EvalOutcome;
import org.fedfms.federation.internal.EvaluatePhase.EvalTask;
import org.fedfms.federation.internal.FitPhase.FitOutcome;

/**
 * The round, in one place: choose sites → configure → fit in parallel against the deadline, feeding the
 * aggregator → finish → evaluate → record → checkpoint. Called by the holder of the experiment's round
 * lock; throws {@link RoundAbort} when the round cannot complete, leaving the experiment's models as
 * they were.
 *
 * <p>Updates are fed to the aggregator in the order the sites were chosen (each as soon as it and those
 * before it have arrived), so that floating-point sums, and therefore resumed runs, are reproducible bit
 * for bit; or, for a {@link SiteProvider} that {@linkplain SiteProvider#aggregatesInArrivalOrder() asks for
 * it}, in the order they arrive, so that none waits in memory for an earlier site's.
 */
final class RoundLoop {

    /** Strategy id recorded for protocols that do not aggregate. */
    static final String NO_STRATEGY = "none";

    private final Services services;
    private final SiteSetups setups;
    private final StrategyBinding binding;
    private final FitPhase fit;
    private final EvaluatePhase evaluate;

    RoundLoop(Services services) {
        this.services = services;
        this.setups = new SiteSetups(services);
        this.binding = new StrategyBinding(services);
        this.fit = new FitPhase(services);
        this.evaluate = new EvaluatePhase(services);
    }

    /** Pauses before any site trains if the strategy's settings need more sites than the round has. */
    private static void checkSiteCount(Experiment e, ExperimentSpec spec, SiteSetup setup, int round) {
        int needed = e.sessionStrategy.minimumSites(e.session.settings());
        if (setup.training().size() < needed) {
            throw RoundAbort.pause(where(e, round) + " cannot start: " + ServiceDirectory.tooFewSites(
                    spec.strategy(), e.session.settings(), needed, setup.training().size(), spec.dataset()));
        }
    }

    /** Runs the experiment's next round and records it; the caller holds {@code e.roundLock}. */
    RoundResult run(Experiment e) {
        Experiment.Progress p = e.progress();
        ExperimentSpec spec = p.spec();
        int round = p.completedRounds() + 1;
        long t0 = System.nanoTime();
        try {
            SiteSetups.loadCheckpoint(e);
            if (spec.protocol().aggregates()) {
                binding.ensure(e, spec, round);
            }
            SiteSetup setup = setups.ensure(e, spec, round);
            if (spec.protocol().aggregates()) {
                checkSiteCount(e, spec, setup, round);
            }
            SiteSetups.ensureInitial(e, setup, spec);
            return switch (spec.protocol()) {
                case FEDERATED, LEAVE_ONE_SITE_OUT -> federatedRound(e, spec, setup, round, t0);
                case CENTRALIZED -> centralizedRound(e, spec, setup, round, t0);
                case LOCAL_ONLY -> localRound(e, spec, setup, round, t0);
            };
        } catch (RoundAbort a) {
            discardFitted(e);
            throw a;
        } catch (RuntimeException unexpected) {
            discardFitted(e);
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + " failed unexpectedly: " + describe(unexpected)
                    + ". " + unchanged(round), unexpected);
        }
    }

    /** Deletes what the sites fitted in the round that did not complete (kept in-process, see PersonalizedSite). */
    private static void discardFitted(Experiment e) {
        try {
            FittedModels.discardAfter(e.directory, e.progress().completedRounds());
        } catch (java.io.IOException | RuntimeException x) {
            System.getLogger(RoundLoop.class.getName()).log(System.Logger.Level.WARNING, "experiment '" + e.name
                    + "': the models its sites fitted in a round that did not complete cannot be deleted", x);
        }
    }

    /** Reads or builds the experiment's models without running a round; the caller holds the round lock. */
    void prepare(Experiment e) {
        SiteSetups.loadCheckpoint(e);
        if (e.global != null) {
            return;
        }
        Experiment.Progress p = e.progress();
        ExperimentSpec spec = p.spec();
        SiteSetup setup = setups.ensure(e, spec, p.completedRounds() + 1);
        SiteSetups.ensureInitial(e, setup, spec);
    }

    // ---------------------------------------------------------------- protocols

    private RoundResult federatedRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        StrategySession session = e.session;
        LocalParameters kept = LocalParameters.parse(spec.sharing().localParameters());
        ParameterSet global = kept.shared(e.global);
        List<SiteSlot> chosen = choose(setup, spec, round);
        double q = ClientDpRounds.samplingRate(setup, chosen);
        ClientDpRounds.requireBudget(e, spec, round, q);
        services.publish(new FederationEvent.RoundStarted(e.name, round, ids(chosen), session.strategyId()));

        Map<String, FitInstructions> instructions;
        RoundAggregator aggregator;
        ParameterSet sent;
        try {
            instructions = session.configureFit(round, global, infos(chosen));
            sent = session.fitParameters(round, global);
            aggregator = session.beginRound(round, global);
        } catch (RuntimeException x) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + ": strategy '" + session.strategyId()
                    + "' could not start the round: " + describe(x) + ". " + unchanged(round), x);
        }
        Map<String, FitInstructions> fi = instructions == null ? Map.of() : instructions;
        SecureRound secure = SecureRound.begin(e, spec, round, chosen, global);
        List<FitOutcome> fits = secure != null
                ? fit.run(e, spec, round, chosen, s -> sent, s -> fi.getOrDefault(s.id(), FitInstructions.none()),
                        secure.fitter(), secure::accept)
                : fit.run(e, spec, round, chosen, s -> sent, s -> fi.getOrDefault(s.id(), FitInstructions.none()),
                        (s, r) -> aggregator.accept(r));
        List<SiteFailure> failures = failures(fits);
        requireMinSites(e, spec, round, fits, failures);
        if (secure != null) {
            secure.unmaskInto(e, aggregator);
            fits = secure.withSentBytes(fits);
        }

        ParameterSet next;
        try {
            next = aggregator.finish(failures);
            checkAggregate(global, next, session.strategyId());
        } catch (RuntimeException x) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + ": strategy '" + session.strategyId() + "' could not aggregate: "
                    + describe(x) + ". " + unchanged(round), x);
        }

        List<EvalTask> tasks = new ArrayList<>();
        for (SiteSlot s : setup.training()) {
            if (s.info().validationSamples() > 0) {
                tasks.add(new EvalTask(s, next, DataSplit.VALIDATION));
            }
        }
        next = e.global.withReplaced(next); // the local parameters keep their values before personalization
        if (setup.unseen() != null && setup.unseen().info().testSamples() > 0) {
            tasks.add(new EvalTask(setup.unseen(), next, DataSplit.TEST));
        }
        Map<String, EvalOutcome> evals = evaluate.run(e, spec, round, tasks);
        List<EvaluateResult> sourceResults = new ArrayList<>();
        for (SiteSlot s : setup.training()) {
            EvalOutcome o = evals.get(s.id());
            if (o != null && o.result() != null) {
                sourceResults.add(o.result());
            }
        }
        Metrics evaluation = aggregateEvaluate(session, round, sourceResults);
        if (setup.unseen() != null) {
            EvalOutcome unseen = evals.get(setup.unseen().id());
            Map<String, Double> m = new LinkedHashMap<>();
            if (unseen != null && unseen.result() != null) {
                m.putAll(unseen.result().metrics().values());
            }
            evaluation.values().forEach((k, v) -> m.put("val_" + k, v));
            evaluation = new Metrics(m);
        }
        evaluation = ClientDpRounds.withEpsilon(spec, e.progress().history(), q, evaluation);
        RoundResult result = RoundRecord.record(e, round, session.strategyId(), session.settings(), setup.all(), fits, evals,
                evaluation, global.sizeInBytes(), t0, e.pendingNote);
        RoundRecord.commit(e, spec, result, next, e.localModels);
        return result;
    }

    private RoundResult centralizedRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        SiteSlot pooled = setup.training().get(0);
        ParameterSet global = e.global;
        services.publish(new FederationEvent.RoundStarted(e.name, round, List.of(pooled.id()), NO_STRATEGY));
        ParameterSet[] trained = new ParameterSet[1];
        List<FitOutcome> fits = fit.run(e, spec, round, List.of(pooled), s -> global, s -> FitInstructions.none(),
                (s, r) -> {
                    UpdateCheck.check(global, r);
                    trained[0] = r.parameters();
                });
        if (trained[0] == null) {
            throw RoundAbort.pause(where(e, round) + ": the pooled site delivered no usable update: "
                    + fits.get(0).error() + ". " + unchanged(round));
        }
        fits = fits.stream().map(FitOutcome::withoutTransfer).toList();
        List<EvalTask> tasks = pooled.info().validationSamples() > 0
                ? List.of(new EvalTask(pooled, trained[0], DataSplit.VALIDATION)) : List.of();
        Map<String, EvalOutcome> evals = evaluate.run(e, spec, round, tasks);
        Metrics evaluation = weightedMean(results(evals));
        RoundResult result = RoundRecord.record(e, round, NO_STRATEGY, Map.of(), setup.all(), fits, evals, evaluation,
                global.sizeInBytes(), t0, e.pendingNote);
        RoundRecord.commit(e, spec, result, trained[0], e.localModels);
        return result;
    }

    private RoundResult localRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        Map<String, ParameterSet> local = e.localModels;
        ParameterSet initial = e.global;
        Function<SiteSlot, ParameterSet> model = s -> local.getOrDefault(s.id(), initial);
        List<SiteSlot> chosen = choose(setup, spec, round);
        services.publish(new FederationEvent.RoundStarted(e.name, round, ids(chosen), NO_STRATEGY));
        Map<String, ParameterSet> updated = new LinkedHashMap<>();
        List<FitOutcome> fits = fit.run(e, spec, round, chosen, model, s -> FitInstructions.none(), (s, r) -> {
            UpdateCheck.check(model.apply(s), r);
            updated.put(s.id(), r.parameters());
        });
        requireMinSites(e, spec, round, fits, failures(fits));
        fits = fits.stream().map(FitOutcome::withoutTransfer).toList();
        Map<String, ParameterSet> next = new LinkedHashMap<>();
        for (SiteSlot s : setup.training()) {
            next.put(s.id(), updated.containsKey(s.id()) ? updated.get(s.id()) : model.apply(s));
        }
        List<EvalTask> tasks = new ArrayList<>();
        for (SiteSlot s : setup.training()) {
            if (s.info().validationSamples() > 0) {
                tasks.add(new EvalTask(s, next.get(s.id()), DataSplit.VALIDATION));
            }
        }
        Map<String, EvalOutcome> evals = evaluate.run(e, spec, round, tasks);
        RoundResult result = RoundRecord.record(e, round, NO_STRATEGY, Map.of(), setup.all(), fits, evals,
                weightedMean(results(evals)), initial.sizeInBytes(), t0, e.pendingNote);
        RoundRecord.commit(e, spec, result, initial, next);
        return result;
    }

    // ---------------------------------------------------------------- helpers

    private static List<SiteSlot> choose(SiteSetup setup, ExperimentSpec spec, int round) {
        List<SiteSlot> candidates = setup.training().stream().filter(s -> s.info().trainSamples() > 0).toList();
        return SiteSelection.select(candidates, spec.seed(), round, spec.participation().fractionPerRound(), spec.participation().minSites());
    }

    private static void requireMinSites(Experiment e, ExperimentSpec spec, int round, List<FitOutcome> fits,
            List<SiteFailure> failures) {
        long ok = fits.stream().filter(FitOutcome::ok).count();
        if (ok >= spec.participation().minSites()) {
            return;
        }
        List<String> reasons = new ArrayList<>();
        failures.forEach(f -> reasons.add(f.siteId() + ": " + f.reason()));
        e.dropSession();
        throw RoundAbort.pause(where(e, round) + ": only " + ok + " of " + fits.size()
                + " chosen sites delivered a usable update but minSites is " + spec.participation().minSites() + " ("
                + String.join("; ", reasons) + "). " + unchanged(round)
                + " Fix the failing sites or lower minSites, then resume.");
    }

    private static List<SiteFailure> failures(List<FitOutcome> fits) {
        List<SiteFailure> failures = new ArrayList<>();
        fits.stream().filter(f -> !f.ok()).forEach(f -> failures.add(new SiteFailure(f.siteId(), f.error())));
        return failures;
    }

    private static void checkAggregate(ParameterSet global, ParameterSet next, String strategyId) {
        if (next == null) {
            throw new IllegalStateException("strategy '" + strategyId + "' returned no parameters");
        }
        List<String> diffs = global.layoutDifferences(next);
        if (!diffs.isEmpty()) {
            throw new IllegalStateException("the aggregate does not match the global layout: "
                    + String.join("; ", diffs.subList(0, Math.min(5, diffs.size()))));
        }
        String bad = next.firstNonFinite();
        if (bad != null) {
            throw new IllegalStateException("the aggregate holds a non-finite value: " + bad);
        }
    }

    private static Metrics aggregateEvaluate(StrategySession session, int round, List<EvaluateResult> results) {
        try {
            Metrics m = session.aggregateEvaluate(round, results);
            return m == null ? weightedMean(results) : m;
        } catch (RuntimeException x) {
            return weightedMean(results);
        }
    }

    private static Metrics weightedMean(List<EvaluateResult> results) {
        return Metrics.weightedMean(results, EvaluateResult::metrics, EvaluateResult::sampleCount);
    }

    private static List<EvaluateResult> results(Map<String, EvalOutcome> evals) {
        List<EvaluateResult> list = new ArrayList<>();
        evals.values().forEach(o -> {
            if (o.result() != null) {
                list.add(o.result());
            }
        });
        return list;
    }

    private static List<String> ids(List<SiteSlot> sites) {
        return sites.stream().map(SiteSlot::id).toList();
    }

    private static List<SiteInfo> infos(List<SiteSlot> sites) {
        return sites.stream().map(SiteSlot::info).toList();
    }
}
