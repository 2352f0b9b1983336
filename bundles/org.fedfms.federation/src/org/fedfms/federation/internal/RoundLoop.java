package org.fedfms.federation.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.SiteProvider;

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

    RoundLoop(Services services) {
        this.services = services;
    }

    /** Runs the experiment's next round and records it; the caller holds {@code e.roundLock}. */
    RoundResult run(Experiment e) {
        ExperimentSpec spec = e.spec();
        int round = e.completedRounds() + 1;
        long t0 = System.nanoTime();
        try {
            loadCheckpoint(e);
            if (aggregates(spec.protocol())) {
                ensureStrategy(e, spec, round);
            }
            SiteSetup setup = ensureSetup(e, spec, round);
            ensureInitial(e, setup, spec);
            return switch (spec.protocol()) {
                case FEDERATED, LEAVE_ONE_SITE_OUT -> federatedRound(e, spec, setup, round, t0);
                case CENTRALIZED -> centralizedRound(e, spec, setup, round, t0);
                case LOCAL_ONLY -> localRound(e, spec, setup, round, t0);
            };
        } catch (RoundAbort a) {
            throw a;
        } catch (RuntimeException unexpected) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + " failed unexpectedly: " + describe(unexpected)
                    + ". " + unchanged(round), unexpected);
        }
    }

    /** Reads or builds the experiment's models without running a round; the caller holds the round lock. */
    void prepare(Experiment e) {
        loadCheckpoint(e);
        if (e.global != null) {
            return;
        }
        ExperimentSpec spec = e.spec();
        SiteSetup setup = ensureSetup(e, spec, e.completedRounds() + 1);
        ensureInitial(e, setup, spec);
    }

    // ---------------------------------------------------------------- protocols

    /** Whether the protocol aggregates with a strategy. */
    static boolean aggregates(Protocol protocol) {
        return protocol == Protocol.FEDERATED || protocol == Protocol.LEAVE_ONE_SITE_OUT;
    }

    private RoundResult federatedRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        StrategySession session = e.session;
        ParameterSet global = e.global;
        List<SiteSlot> chosen = choose(setup, spec, round);
        services.publish(new FederationEvent.RoundStarted(e.name, round, ids(chosen), session.strategyId()));

        Map<String, FitInstructions> instructions;
        RoundAggregator aggregator;
        try {
            instructions = session.configureFit(round, global, infos(chosen));
            aggregator = session.beginRound(round, global);
        } catch (RuntimeException x) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + ": strategy '" + session.strategyId()
                    + "' could not start the round: " + describe(x) + ". " + unchanged(round), x);
        }
        Map<String, FitInstructions> fi = instructions == null ? Map.of() : instructions;
        List<FitOutcome> fits = fitPhase(e, spec, round, chosen, s -> global,
                s -> fi.getOrDefault(s.id(), FitInstructions.none()), (s, r) -> aggregator.accept(r));
        List<SiteFailure> failures = failures(fits);
        requireMinSites(e, spec, round, fits, failures);

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
        if (setup.unseen() != null && setup.unseen().info().testSamples() > 0) {
            tasks.add(new EvalTask(setup.unseen(), next, DataSplit.TEST));
        }
        Map<String, EvalOutcome> evals = evaluatePhase(e, spec, round, tasks);
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
        RoundResult result = record(e, round, session.strategyId(), session.settings(), setup.all(), fits, evals,
                evaluation, global.sizeInBytes(), t0, e.pendingNote);
        commit(e, spec, result, next, e.localModels);
        return result;
    }

    private RoundResult centralizedRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        SiteSlot pooled = setup.training().get(0);
        ParameterSet global = e.global;
        services.publish(new FederationEvent.RoundStarted(e.name, round, List.of(pooled.id()), NO_STRATEGY));
        ParameterSet[] trained = new ParameterSet[1];
        List<FitOutcome> fits = fitPhase(e, spec, round, List.of(pooled), s -> global, s -> FitInstructions.none(),
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
        Map<String, EvalOutcome> evals = evaluatePhase(e, spec, round, tasks);
        Metrics evaluation = weightedMean(results(evals));
        RoundResult result = record(e, round, NO_STRATEGY, Map.of(), setup.all(), fits, evals, evaluation,
                global.sizeInBytes(), t0, e.pendingNote);
        commit(e, spec, result, trained[0], e.localModels);
        return result;
    }

    private RoundResult localRound(Experiment e, ExperimentSpec spec, SiteSetup setup, int round, long t0) {
        Map<String, ParameterSet> local = e.localModels;
        ParameterSet initial = e.global;
        Function<SiteSlot, ParameterSet> model = s -> local.getOrDefault(s.id(), initial);
        List<SiteSlot> chosen = choose(setup, spec, round);
        services.publish(new FederationEvent.RoundStarted(e.name, round, ids(chosen), NO_STRATEGY));
        Map<String, ParameterSet> updated = new LinkedHashMap<>();
        List<FitOutcome> fits = fitPhase(e, spec, round, chosen, model, s -> FitInstructions.none(), (s, r) -> {
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
        Map<String, EvalOutcome> evals = evaluatePhase(e, spec, round, tasks);
        RoundResult result = record(e, round, NO_STRATEGY, Map.of(), setup.all(), fits, evals,
                weightedMean(results(evals)), initial.sizeInBytes(), t0, e.pendingNote);
        commit(e, spec, result, initial, next);
        return result;
    }

    // ---------------------------------------------------------------- set-up

    /** The sites, built from the dataset by the trainer factory present now; rebuilt if that factory changed. */
    private SiteSetup ensureSetup(Experiment e, ExperimentSpec spec, int round) {
        org.fedfms.federation.SiteProvider provider = services.loader(spec.dataset()) == null
                ? services.siteProvider(spec.dataset()) : null;
        if (provider != null || (e.setup != null && e.setup.provider() != null)) {
            return providedSetup(e, spec, round, provider);
        }
        SiteTrainerFactory factory = services.trainerFactory(spec.trainer());
        SiteSetup current = e.setup;
        if (current != null && current.factory() == factory) {
            return current;
        }
        boolean hadSites = current != null;
        e.closeSetup();
        if (factory == null) {
            throw RoundAbort.pause(where(e, round) + " cannot start: trainer factory '" + spec.trainer() + "' is "
                    + (hadSites ? "no longer" : "not") + " present (present: " + services.trainerFactoryIds()
                    + "); start its bundle again, then resume. The experiment keeps the model of round " + (round - 1)
                    + ".");
        }
        DatasetLoader loader = services.loader(spec.dataset());
        if (loader == null) {
            throw RoundAbort.pause(where(e, round) + " cannot start: dataset loader '" + spec.dataset()
                    + "' is not present (present: " + services.loaderIds() + "); start its bundle, then resume.");
        }
        FederatedDataset dataset;
        try {
            dataset = loader.load(spec.datasetSettings());
        } catch (DatasetException | RuntimeException x) {
            throw RoundAbort.fail("experiment '" + e.name + "': dataset '" + spec.dataset() + "' with settings "
                    + new TreeMap<>(spec.datasetSettings()) + " cannot be loaded: " + describe(x), x);
        }
        if (dataset == null || dataset.sites().isEmpty()) {
            throw RoundAbort.fail("experiment '" + e.name + "': dataset '" + spec.dataset() + "' with settings "
                    + new TreeMap<>(spec.datasetSettings()) + " has no sites", null);
        }
        List<SiteData> training = new ArrayList<>();
        SiteData unseen = null;
        switch (spec.protocol()) {
            case FEDERATED, LOCAL_ONLY -> training.addAll(dataset.sites());
            case LEAVE_ONE_SITE_OUT -> {
                unseen = dataset.site(spec.unseenSite()).orElseThrow(() -> RoundAbort.fail("experiment '" + e.name
                        + "': the unseen site '" + spec.unseenSite() + "' is not a site of dataset '" + spec.dataset()
                        + "' (sites: " + siteIds(dataset.sites()) + ")", null));
                for (SiteData s : dataset.sites()) {
                    if (s != unseen) {
                        training.add(s);
                    }
                }
            }
            case CENTRALIZED -> training.add(pooled(dataset.sites()));
        }
        checkSamples(e, spec, training);
        TrainerSpec trainerSpec = spec.trainerSpec();
        List<SiteSlot> slots = new ArrayList<>();
        SiteSlot unseenSlot = null;
        try {
            for (SiteData s : training) {
                slots.add(new SiteSlot(new InProcessSite(s, create(e, factory, trainerSpec, s))));
            }
            if (unseen != null) {
                unseenSlot = new SiteSlot(new InProcessSite(unseen, create(e, factory, trainerSpec, unseen)));
            }
        } catch (RoundAbort a) {
            slots.forEach(SiteSlot::close);
            throw a;
        }
        SiteSetup setup = new SiteSetup(factory, dataset, slots, unseenSlot);
        e.setup = setup;
        return setup;
    }

    /** The sites a provider lists now; rebuilt when its list changes. */
    private static SiteSetup providedSetup(Experiment e, ExperimentSpec spec, int round,
            org.fedfms.federation.SiteProvider provider) {
        if (provider == null) {
            e.setup = null;
            throw RoundAbort.pause(where(e, round) + " cannot start: site provider '" + spec.dataset()
                    + "' is no longer present (the coordinator stopped?); start it again, then resume. The experiment "
                    + "keeps the model of round " + (round - 1) + ".");
        }
        List<org.fedfms.federation.FederatedSite> sites;
        try {
            sites = List.copyOf(provider.sites(spec));
        } catch (RuntimeException x) {
            throw RoundAbort.pause(where(e, round) + " cannot start: site provider '" + spec.dataset()
                    + "' cannot list its sites: " + describe(x), x);
        }
        SiteSetup current = e.setup;
        if (current != null && current.provider() == provider && sameSites(current.provided(), sites)) {
            return current;
        }
        List<SiteSlot> training = new ArrayList<>();
        SiteSlot unseen = null;
        for (org.fedfms.federation.FederatedSite s : sites) {
            SiteSlot slot = reuse(current, s);
            if (spec.protocol() == Protocol.LEAVE_ONE_SITE_OUT && s.siteId().equals(spec.unseenSite())) {
                unseen = slot;
            } else {
                training.add(slot);
            }
        }
        int withSamples = org.fedfms.federation.SiteProvider.trainingSites(spec,
                training.stream().map(SiteSlot::info).toList());
        if (withSamples < spec.minSites()) {
            throw RoundAbort.pause(where(e, round) + " cannot start: only " + withSamples + " site(s) with training "
                    + "samples are connected to site provider '" + spec.dataset() + "' (" + sites.stream()
                    .map(org.fedfms.federation.FederatedSite::siteId).toList() + ") but minSites is "
                    + spec.minSites() + "; resume when more sites have joined");
        }
        SiteSetup setup = new SiteSetup(null, null, training, unseen, provider, sites);
        e.setup = setup;
        return setup;
    }

    private static boolean sameSites(List<org.fedfms.federation.FederatedSite> a,
            List<org.fedfms.federation.FederatedSite> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The slot of the earlier setup that holds {@code site} (keeping its busy guard), else a new one. */
    private static SiteSlot reuse(SiteSetup current, org.fedfms.federation.FederatedSite site) {
        if (current != null) {
            for (SiteSlot s : current.all()) {
                if (s.site() == site) {
                    return s;
                }
            }
        }
        return new SiteSlot(site);
    }

    private static SiteTrainer create(Experiment e, SiteTrainerFactory factory, TrainerSpec spec, SiteData site) {
        try {
            SiteTrainer t = factory.create(spec, site);
            if (t == null) {
                throw new IllegalStateException("the factory returned no trainer");
            }
            return t;
        } catch (Exception x) {
            throw RoundAbort.fail("experiment '" + e.name + "': trainer factory '" + factory.id()
                    + "' cannot create a trainer for site '" + site.siteId() + "' (model " + spec.model() + ", adapter "
                    + spec.adapter() + ", device " + spec.device() + "): " + describe(x), x);
        }
    }

    private static void checkSamples(Experiment e, ExperimentSpec spec, List<SiteData> training) {
        long total = 0;
        int withSamples = 0;
        List<String> counts = new ArrayList<>();
        for (SiteData s : training) {
            total += s.train().size();
            withSamples += s.train().isEmpty() ? 0 : 1;
            counts.add(s.siteId() + ": " + s.train().size());
        }
        if (total == 0) {
            throw RoundAbort.fail("experiment '" + e.name + "': the training sites hold 0 training samples in total ("
                    + String.join(", ", counts) + "); nothing to train on. Check the settings of dataset '"
                    + spec.dataset() + "': " + new TreeMap<>(spec.datasetSettings()), null);
        }
        int needed = spec.protocol() == Protocol.CENTRALIZED ? 1 : spec.minSites();
        if (withSamples < needed) {
            throw RoundAbort.fail("experiment '" + e.name + "': only " + withSamples + " training site(s) hold training"
                    + " samples (" + String.join(", ", counts) + ") but minSites is " + needed
                    + "; lower minSites or use a dataset with more sites", null);
        }
    }

    private static SiteData pooled(List<SiteData> sites) {
        List<Sample> train = new ArrayList<>();
        List<Sample> validation = new ArrayList<>();
        List<Sample> test = new ArrayList<>();
        for (SiteData s : sites) {
            train.addAll(s.train());
            validation.addAll(s.validation());
            test.addAll(s.test());
        }
        return new SiteData("pooled", train, validation, test);
    }

    /** Reads the models and strategy state of a restored experiment from its checkpoint, once. */
    static void loadCheckpoint(Experiment e) {
        CheckpointStore.Saved saved = e.restored;
        if (e.global != null || saved == null) {
            return;
        }
        try {
            ParameterSet global = saved.global();
            StrategyState state = saved.strategyState();
            Map<String, ParameterSet> local = saved.localModels();
            e.lastStrategyState = state;
            e.localModels = local;
            e.global = global;
            e.restored = null;
        } catch (IOException x) {
            throw RoundAbort.fail("experiment '" + e.name + "': the checkpoint " + saved.directory()
                    + " cannot be read: " + x.getMessage() + ". Delete that directory to go on from the checkpoint"
                    + " before it, or remove the experiment", x);
        }
    }

    /** Takes the initial models of a new experiment from its first site. */
    private static void ensureInitial(Experiment e, SiteSetup setup, ExperimentSpec spec) {
        if (e.global != null) {
            return;
        }
        SiteSlot first = setup.training().get(0);
        ParameterSet initial;
        try {
            initial = first.site().initialParameters();
        } catch (Exception x) {
            throw RoundAbort.fail("experiment '" + e.name + "': site '" + first.id()
                    + "' cannot give the initial parameters: " + describe(x), x);
        }
        if (initial == null || initial.isEmpty()) {
            throw RoundAbort.fail("experiment '" + e.name + "': trainer '" + spec.trainer() + "' has no trainable "
                    + "parameters for model " + spec.model() + " with adapter " + spec.adapter(), null);
        }
        if (spec.protocol() == Protocol.LOCAL_ONLY) {
            Map<String, ParameterSet> local = new LinkedHashMap<>();
            setup.training().forEach(s -> local.put(s.id(), initial));
            e.localModels = local;
        }
        e.global = initial;
    }

    /**
     * Makes the experiment's session that of the strategy present now: applies a pending swap, notices a
     * strategy that left (pause) or whose service was replaced (opened again, state restored).
     */
    private void ensureStrategy(Experiment e, ExperimentSpec spec, int round) {
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

    // ---------------------------------------------------------------- fit and evaluate

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

    private List<FitOutcome> fitPhase(Experiment e, ExperimentSpec spec, int round, List<SiteSlot> chosen,
            Function<SiteSlot, ParameterSet> startFrom, Function<SiteSlot, FitInstructions> instructions,
            Acceptor acceptor) {
        long deadline = System.nanoTime() + seconds(spec.roundDeadlineSeconds());
        boolean arrivalOrder = e.setup != null && e.setup.provider() instanceof SiteProvider p
                && p.aggregatesInArrivalOrder();
        Semaphore arrivals = new Semaphore(0);
        List<SiteCall<FitResult>> calls = new ArrayList<>();
        FitOutcome[] outcomes = new FitOutcome[chosen.size()];
        try {
            for (SiteSlot s : chosen) {
                ParameterSet start = startFrom.apply(s);
                FitInstructions fi = instructions.apply(s);
                calls.add(s.call(services.siteExecutor(), (site, monitor) -> site.fit(round, start, fi, monitor),
                        () -> e.cancelRequested, arrivals::release));
            }
            for (int k = 0; k < chosen.size(); k++) {
                int i = arrivalOrder ? nextArrived(e, calls, outcomes, arrivals, deadline) : k;
                SiteSlot s = chosen.get(i);
                SiteCall<FitResult> call = calls.get(i);
                long down = startFrom.apply(s).sizeInBytes();
                FitOutcome o;
                if (call == null) {
                    o = failed(s, "still busy with an earlier call that overran its deadline", down, 0, 0);
                } else {
                    o = awaitFit(e, spec, s, call, acceptor, down, deadline);
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
            Acceptor acceptor, long down, long deadline) throws SiteCall.Cancelled {
        FitResult r;
        try {
            r = call.await(deadline, () -> e.cancelRequested);
        } catch (TimeoutException x) {
            return failed(s, "missed the round deadline of " + spec.roundDeadlineSeconds() + " s", down, 0,
                    call.durationMillis());
        } catch (ExecutionException x) {
            return failed(s, "fit failed: " + describe(x.getCause()), down, 0, call.durationMillis());
        }
        if (r == null) {
            return failed(s, "fit returned no result", down, 0, call.durationMillis());
        }
        long up = r.parameters() == null ? 0 : r.parameters().sizeInBytes();
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

    /** One evaluation to do. */
    record EvalTask(SiteSlot site, ParameterSet parameters, DataSplit split) {
    }

    /** How an evaluation ended: a result or an error. */
    record EvalOutcome(String siteId, EvaluateResult result, String error, long durationMillis) {
    }

    private Map<String, EvalOutcome> evaluatePhase(Experiment e, ExperimentSpec spec, int round,
            List<EvalTask> tasks) {
        long deadline = System.nanoTime() + seconds(spec.roundDeadlineSeconds());
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
                            + spec.roundDeadlineSeconds() + " s", call.durationMillis()));
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

    // ---------------------------------------------------------------- record and commit

    private static RoundResult record(Experiment e, int round, String strategyId, Map<String, Object> settings,
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
    private static void commit(Experiment e, ExperimentSpec spec, RoundResult result, ParameterSet global,
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
            e.store.write(new CheckpointStore.Checkpoint(result.round(), spec, global, state, e.history(), local));
        } catch (IOException | RuntimeException x) {
            e.checkpointError = "round " + result.round() + " completed but its checkpoint in " + e.directory
                    + " could not be written: " + describe(x) + "; the next completed round writes a full checkpoint";
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<SiteSlot> choose(SiteSetup setup, ExperimentSpec spec, int round) {
        List<SiteSlot> candidates = setup.training().stream().filter(s -> s.info().trainSamples() > 0).toList();
        return SiteSelection.select(candidates, spec.seed(), round, spec.fractionPerRound(), spec.minSites());
    }

    private static void requireMinSites(Experiment e, ExperimentSpec spec, int round, List<FitOutcome> fits,
            List<SiteFailure> failures) {
        long ok = fits.stream().filter(FitOutcome::ok).count();
        if (ok >= spec.minSites()) {
            return;
        }
        List<String> reasons = new ArrayList<>();
        failures.forEach(f -> reasons.add(f.siteId() + ": " + f.reason()));
        e.dropSession();
        throw RoundAbort.pause(where(e, round) + ": only " + ok + " of " + fits.size()
                + " chosen sites delivered a usable update but minSites is " + spec.minSites() + " ("
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

    private static List<String> siteIds(List<SiteData> sites) {
        return sites.stream().map(SiteData::siteId).toList();
    }

    private static long seconds(double s) {
        return (long) Math.min(Long.MAX_VALUE / 4.0, s * 1e9);
    }

    private static String where(Experiment e, int round) {
        return "round " + round + " of experiment '" + e.name + "'";
    }

    private static String unchanged(int round) {
        return "The global model is unchanged (that of round " + (round - 1) + ").";
    }

    private static String join(String a, String b) {
        return a == null || a.isEmpty() ? b : a + "; " + b;
    }

    private static String joinOrNull(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }

    /** A throwable as one line: its message, or its type when it has none, with the cause's message. */
    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        String s = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        Throwable c = t.getCause();
        if (c != null && c != t) {
            String cm = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (!s.contains(cm)) {
                s += " (" + cm + ")";
            }
        }
        return s;
    }
}
