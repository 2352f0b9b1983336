package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The federation service: experiments by name, their runs, and the strategies, dataset loaders, trainer
 * factories and listeners present now, tracked by id as they come and go.
 *
 * <p>Configuration (pid {@value #PID}): {@value #EXPERIMENTS_DIR} sets the experiments directory;
 * otherwise it is {@code <fedfms.workdir>/experiments} when the framework or system property
 * {@value #WORKDIR_PROPERTY} is set, else {@code ~/.fedfms/experiments}.
 *
 * <p>A background run that the process or the service stopping interrupted goes on by itself when the
 * service starts again on the same directory: the experiment waits, paused, until what a round needs is
 * present (its strategy, and its dataset loader and trainer factory, or its site provider reporting
 * {@link SiteProvider#ready(ExperimentSpec) ready}), checked when such a service binds and every second.
 * {@value #AUTO_RESUME} {@code false} (configuration, or the framework or system property
 * {@value #AUTO_RESUME_PROPERTY}) turns this off: such experiments then wait, paused, for a resume.
 */
@Component(service = FederationService.class, immediate = true, configurationPid = FederationServiceImpl.PID)
public class FederationServiceImpl implements FederationService, Services {

    /** Configuration pid. */
    public static final String PID = "org.fedfms.federation";
    /** Configuration property: the experiments directory. */
    public static final String EXPERIMENTS_DIR = "experiments.dir";
    /** Framework or system property: the FedFMS working directory. */
    public static final String WORKDIR_PROPERTY = "fedfms.workdir";
    /** Configuration property: whether interrupted runs go on by themselves (default true). */
    public static final String AUTO_RESUME = "autoResume";
    /** Framework or system property: whether interrupted runs go on by themselves (default true). */
    public static final String AUTO_RESUME_PROPERTY = "fedfms.federation.autoResume";

    private static final System.Logger LOG = System.getLogger(FederationServiceImpl.class.getName());
    private static final long STOP_WAIT_MILLIS = 15_000;
    private static final long AUTO_RESUME_CHECK_MILLIS = 1_000;

    private final Map<String, AggregationStrategy> strategies = new ConcurrentHashMap<>();
    private final Map<String, DatasetLoader> loaders = new ConcurrentHashMap<>();
    private final Map<String, SiteTrainerFactory> trainerFactories = new ConcurrentHashMap<>();
    private final Map<String, SiteProvider> siteProviders = new ConcurrentHashMap<>();
    private final Set<FederationListener> listenerServices = ConcurrentHashMap.newKeySet();
    private final Set<FederationListener> addedListeners = ConcurrentHashMap.newKeySet();
    private final Map<String, Experiment> experiments = new ConcurrentHashMap<>();
    private final RoundLoop loop = new RoundLoop(this);

    private Path base;
    private ExecutorService siteExecutor;
    private ExecutorService runExecutor;
    private EventDispatcher events;
    private boolean autoResume;
    private volatile ScheduledExecutorService resumer;
    private volatile boolean stopping;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        base = experimentsDirectory(properties, context::getProperty);
        autoResume = autoResume(properties, context::getProperty);
        siteExecutor = Executors.newCachedThreadPool(daemon("fedfms-site-"));
        runExecutor = Executors.newCachedThreadPool(daemon("fedfms-experiment-"));
        events = new EventDispatcher(this::allListeners);
        restoreExperiments();
        if (autoResume) {
            ScheduledExecutorService r = Executors.newSingleThreadScheduledExecutor(daemon("fedfms-autoresume-"));
            r.scheduleWithFixedDelay(this::resumeReady, 0, AUTO_RESUME_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            resumer = r;
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        ScheduledExecutorService r = resumer;
        resumer = null;
        if (r != null) {
            r.shutdownNow();
            try {
                if (!r.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "the check of interrupted runs did not stop in time");
                }
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
        }
        for (Experiment e : experiments.values()) {
            e.cancelRequested = true;
            e.pauseRequested = true;
        }
        long end = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        for (Experiment e : experiments.values()) {
            CompletableFuture<ExperimentStatus> run = e.run();
            if (run != null) {
                try {
                    run.get(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException | TimeoutException x) {
                    LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + " did not stop in time", x);
                }
            }
        }
        runExecutor.shutdownNow();
        siteExecutor.shutdownNow();
        for (Experiment e : experiments.values()) {
            if (e.roundLock.tryLock()) {
                try {
                    e.closeSetup();
                } finally {
                    e.roundLock.unlock();
                }
            }
        }
        events.close();
    }

    static Path experimentsDirectory(Map<String, Object> properties, java.util.function.UnaryOperator<String> env) {
        Object configured = properties.get(EXPERIMENTS_DIR);
        if (configured != null && !configured.toString().isBlank()) {
            return Path.of(configured.toString()).toAbsolutePath();
        }
        String workdir = env.apply(WORKDIR_PROPERTY);
        if (workdir != null && !workdir.isBlank()) {
            return Path.of(workdir).resolve("experiments").toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".fedfms", "experiments");
    }

    /** Configuration first, then the framework or system property; true unless one says {@code false}. */
    static boolean autoResume(Map<String, Object> properties, java.util.function.UnaryOperator<String> env) {
        Object configured = properties.get(AUTO_RESUME);
        String value = configured != null ? configured.toString() : env.apply(AUTO_RESUME_PROPERTY);
        if (value == null) {
            value = System.getProperty(AUTO_RESUME_PROPERTY);
        }
        return value == null || value.isBlank() || !value.trim().equalsIgnoreCase("false");
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void restoreExperiments() {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, Files::isDirectory)) {
            for (Path dir : dirs) {
                restore(dir);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the experiments in " + base, e);
        }
    }

    private void restore(Path dir) {
        String name = dir.getFileName().toString();
        CheckpointStore store = new CheckpointStore(dir);
        Optional<CheckpointStore.Saved> saved = store.latest();
        List<String> skipped = store.skipped();
        skipped.forEach(s -> LOG.log(System.Logger.Level.WARNING, "experiment " + name + ": skipped checkpoint " + s));
        Experiment e;
        if (saved.isPresent()) {
            if (!saved.get().spec().name().equals(name)) {
                LOG.log(System.Logger.Level.WARNING, dir + " holds experiment '" + saved.get().spec().name()
                        + "'; it is not listed (rename the directory to that name)");
                return;
            }
            e = Experiment.restored(saved.get(), dir);
        } else {
            Path specFile = dir.resolve("spec.json");
            if (!Files.exists(specFile)) {
                return;
            }
            ExperimentSpec spec;
            try {
                spec = ExperimentSpecJson.read(specFile);
            } catch (IOException | RuntimeException x) {
                LOG.log(System.Logger.Level.WARNING, "experiment in " + dir + " is not listed: " + x.getMessage());
                return;
            }
            if (!spec.name().equals(name)) {
                LOG.log(System.Logger.Level.WARNING, specFile + " names experiment '" + spec.name()
                        + "'; it is not listed (rename the directory to that name)");
                return;
            }
            e = new Experiment(spec, dir, State.READY);
            if (!skipped.isEmpty()) {
                e.setState(State.FAILED, "no readable checkpoint (" + String.join("; ", skipped) + "); resuming "
                        + "starts again from round 1 — delete the broken round directories to confirm");
            }
        }
        continueInterruptedRun(e);
        experiments.put(name, e);
    }

    /** Marks a restored experiment whose directory records an unfinished background run to go on by itself. */
    private void continueInterruptedRun(Experiment e) {
        OptionalInt until;
        try {
            until = RunIntent.read(e.directory);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": " + x.getMessage() + "; the file is "
                    + "removed and the experiment does not go on by itself");
            deleteIntent(e);
            return;
        }
        if (until.isEmpty()) {
            return;
        }
        if (until.getAsInt() <= e.completedRounds() || e.state() == State.FAILED) {
            deleteIntent(e);
            return;
        }
        if (!autoResume) {
            return;
        }
        e.markAutoResume(until.getAsInt());
        LOG.log(System.Logger.Level.INFO, "experiment " + e.name + ": " + e.status().message());
    }

    private void writeIntent(Experiment e, int untilRound) {
        try {
            RunIntent.write(e.directory, untilRound);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": cannot write "
                    + e.directory.resolve(RunIntent.FILE) + " (" + x.getMessage() + "); if this process stops, the "
                    + "run does not go on by itself", x);
        }
    }

    private static void deleteIntent(Experiment e) {
        try {
            RunIntent.delete(e.directory);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": cannot delete "
                    + e.directory.resolve(RunIntent.FILE) + " (" + x.getMessage() + "); after a restart the "
                    + "experiment may go on by itself", x);
        }
    }

    // ---------------------------------------------------------------- interrupted runs going on by themselves

    /** Asks for a check of the waiting experiments soon, off the caller's thread; never throws. */
    private void resumeReadySoon() {
        ScheduledExecutorService r = resumer;
        if (r != null) {
            try {
                r.execute(this::resumeReady);
            } catch (RejectedExecutionException stopped) {
                // the service is stopping
            }
        }
    }

    /** Starts the waiting experiments whose round could start now; says what the others wait for. */
    private void resumeReady() {
        try {
            for (Experiment e : experiments.values()) {
                if (stopping) {
                    return;
                }
                if (e.autoResumeUntil() > 0) {
                    String missing = missingForRound(e.spec());
                    if (missing == null) {
                        resumeByItself(e);
                    } else {
                        e.waitingFor(missing);
                    }
                }
            }
        } catch (RuntimeException x) {
            LOG.log(System.Logger.Level.WARNING, "checking the experiments waiting to go on failed", x);
        }
    }

    /** What a round of {@code spec} needs and is not present now, or {@code null} if a round could start. */
    private String missingForRound(ExperimentSpec spec) {
        if (RoundLoop.aggregates(spec.protocol()) && !strategies.containsKey(spec.strategy())) {
            return "strategy '" + spec.strategy() + "'";
        }
        if (loaders.containsKey(spec.dataset())) {
            return trainerFactories.containsKey(spec.trainer()) ? null
                    : "trainer factory '" + spec.trainer() + "'";
        }
        SiteProvider provider = siteProviders.get(spec.dataset());
        if (provider == null) {
            return "dataset loader or site provider '" + spec.dataset() + "'";
        }
        try {
            return provider.ready(spec) ? null : spec.minSites() + " site(s) with training samples to join site "
                    + "provider '" + spec.dataset() + "'";
        } catch (RuntimeException x) {
            return "site provider '" + spec.dataset() + "' (it cannot say whether its sites are ready: "
                    + RoundLoop.describe(x) + ")";
        }
    }

    private void resumeByItself(Experiment e) {
        CompletableFuture<ExperimentStatus> future = new CompletableFuture<>();
        int until = e.activateMarked(future);
        if (until == 0) {
            return;
        }
        int completed = e.completedRounds();
        LOG.log(System.Logger.Level.INFO, "experiment " + e.name + " resumes by itself from round " + (completed + 1)
                + " (its run to round " + until + " was interrupted)");
        try {
            launch(e, until - completed, future);
        } catch (FederationException x) {
            LOG.log(System.Logger.Level.WARNING, x.getMessage());
        }
    }

    // ---------------------------------------------------------------- services present now

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addStrategy(AggregationStrategy strategy, Map<String, Object> properties) {
        String id = id(properties, strategy::id);
        if (id != null) {
            strategies.put(id, strategy);
            resumeReadySoon();
        }
    }

    void removeStrategy(AggregationStrategy strategy, Map<String, Object> properties) {
        String id = id(properties, strategy::id);
        if (id != null) {
            strategies.remove(id, strategy);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLoader(DatasetLoader loader, Map<String, Object> properties) {
        String id = id(properties, loader::id);
        if (id != null) {
            loaders.put(id, loader);
            resumeReadySoon();
        }
    }

    void removeLoader(DatasetLoader loader, Map<String, Object> properties) {
        String id = id(properties, loader::id);
        if (id != null) {
            loaders.remove(id, loader);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        String id = id(properties, factory::id);
        if (id != null) {
            trainerFactories.put(id, factory);
            resumeReadySoon();
        }
    }

    void removeTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        String id = id(properties, factory::id);
        if (id != null) {
            trainerFactories.remove(id, factory);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSiteProvider(SiteProvider provider, Map<String, Object> properties) {
        String id = id(properties, provider::id);
        if (id != null) {
            siteProviders.put(id, provider);
            resumeReadySoon();
        }
    }

    void removeSiteProvider(SiteProvider provider, Map<String, Object> properties) {
        String id = id(properties, provider::id);
        if (id != null) {
            siteProviders.remove(id, provider);
        }
    }

    @Override
    public SiteProvider siteProvider(String id) {
        return siteProviders.get(id);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFederationListener(FederationListener listener) {
        listenerServices.add(listener);
    }

    void removeFederationListener(FederationListener listener) {
        listenerServices.remove(listener);
    }

    /** The service's id property, else what the service says, else {@code null}; never throws. */
    private static String id(Map<String, Object> properties, Supplier<String> fallback) {
        Object id = properties.get("id");
        if (id != null && !id.toString().isBlank()) {
            return id.toString();
        }
        try {
            return fallback.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a service without id property failed to say its id", e);
            return null;
        }
    }

    private Collection<FederationListener> allListeners() {
        List<FederationListener> all = new ArrayList<>(listenerServices);
        all.addAll(addedListeners);
        return all;
    }

    @Override
    public AggregationStrategy strategy(String id) {
        return strategies.get(id);
    }

    @Override
    public DatasetLoader loader(String id) {
        return loaders.get(id);
    }

    @Override
    public SiteTrainerFactory trainerFactory(String id) {
        return trainerFactories.get(id);
    }

    @Override
    public List<String> strategyIds() {
        return sortedKeys(strategies);
    }

    @Override
    public List<String> loaderIds() {
        return sortedKeys(loaders);
    }

    @Override
    public List<String> trainerFactoryIds() {
        return sortedKeys(trainerFactories);
    }

    private static List<String> sortedKeys(Map<String, ?> map) {
        return map.keySet().stream().sorted().toList();
    }

    @Override
    public StrategyContext strategyContext() {
        return id -> Optional.ofNullable(strategies.get(id));
    }

    @Override
    public ExecutorService siteExecutor() {
        return siteExecutor;
    }

    @Override
    public void publish(FederationEvent event) {
        events.publish(event);
    }

    @Override
    public List<AggregationStrategy> strategies() {
        return sortedValues(strategies);
    }

    @Override
    public List<DatasetLoader> loaders() {
        return sortedValues(loaders);
    }

    @Override
    public List<SiteTrainerFactory> trainerFactories() {
        return sortedValues(trainerFactories);
    }

    private static <T> List<T> sortedValues(Map<String, T> map) {
        return new TreeMap<>(map).values().stream().toList();
    }

    @Override
    public void addListener(FederationListener listener) {
        addedListeners.add(listener);
    }

    @Override
    public void removeListener(FederationListener listener) {
        addedListeners.remove(listener);
    }

    @Override
    public Path experimentsDirectory() {
        return base;
    }

    // ---------------------------------------------------------------- experiments

    @Override
    public ExperimentStatus create(ExperimentSpec spec) {
        spec.requireValid();
        String name = spec.name();
        if (RoundLoop.aggregates(spec.protocol())) {
            AggregationStrategy s = strategies.get(spec.strategy());
            if (s == null) {
                throw new FederationException("experiment '" + name + "': strategy '" + spec.strategy()
                        + "' is not present (present: " + strategyIds() + ")");
            }
            s.open(spec.strategySettings(), strategyContext());
        }
        DatasetLoader loader = loaders.get(spec.dataset());
        boolean provided = loader == null && siteProviders.containsKey(spec.dataset());
        if (provided && !RoundLoop.aggregates(spec.protocol())) {
            throw new FederationException("experiment '" + name + "': protocol " + spec.protocol().id() + " needs a "
                    + "dataset loader in this JVM; sites of provider '" + spec.dataset() + "' run federated or "
                    + "leave-one-site-out experiments only");
        }
        if (loader == null && !provided) {
            throw new FederationException("experiment '" + name + "': dataset loader '" + spec.dataset()
                    + "' is not present (present: " + loaderIds() + ", site providers: "
                    + sortedKeys(siteProviders) + ")");
        }
        if (loader != null) {
            loader.settings().bind(spec.datasetSettings());
        }
        if (!provided && !trainerFactories.containsKey(spec.trainer())) {
            throw new FederationException("experiment '" + name + "': trainer factory '" + spec.trainer()
                    + "' is not present (present: " + trainerFactoryIds() + ")");
        }
        Path dir = base.resolve(name);
        Experiment e = new Experiment(spec, dir, State.READY);
        if (experiments.putIfAbsent(name, e) != null) {
            throw new FederationException("an experiment named '" + name + "' exists already; remove it or choose "
                    + "another name");
        }
        try {
            if (Files.isDirectory(dir) && !isEmpty(dir)) {
                throw new FederationException("experiment '" + name + "': its directory " + dir + " exists and is not "
                        + "empty; delete it or choose another name");
            }
            ExperimentSpecJson.write(dir.resolve("spec.json"), spec);
        } catch (IOException x) {
            experiments.remove(name, e);
            throw new FederationException("experiment '" + name + "': cannot write " + dir.resolve("spec.json") + ": "
                    + x.getMessage(), x);
        } catch (RuntimeException x) {
            experiments.remove(name, e);
            throw x;
        }
        return e.status();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }

    private Experiment get(String name) {
        Experiment e = name == null ? null : experiments.get(name);
        if (e == null) {
            throw new FederationException("no experiment '" + name + "' (experiments: "
                    + experiments.keySet().stream().sorted().toList() + ")");
        }
        return e;
    }

    @Override
    public List<ExperimentStatus> experiments() {
        return experiments.values().stream().map(Experiment::status)
                .sorted(Comparator.comparing(ExperimentStatus::name)).toList();
    }

    @Override
    public ExperimentStatus status(String name) {
        return get(name).status();
    }

    @Override
    public ExperimentSpec spec(String name) {
        return get(name).spec();
    }

    @Override
    public List<RoundResult> history(String name) {
        return get(name).history();
    }

    @Override
    public ParameterSet globalParameters(String name) {
        Experiment e = get(name);
        ParameterSet g = e.global;
        if (g != null) {
            return g;
        }
        prepare(e);
        return e.global;
    }

    @Override
    public Map<String, ParameterSet> localParameters(String name) {
        Experiment e = get(name);
        if (e.spec().protocol() != ExperimentSpec.Protocol.LOCAL_ONLY) {
            return Map.of();
        }
        if (e.global == null) {
            prepare(e);
        }
        return e.localModels;
    }

    private void prepare(Experiment e) {
        e.roundLock.lock();
        try {
            loop.prepare(e);
        } catch (RoundAbort a) {
            throw new FederationException(a.getMessage(), a.getCause());
        } finally {
            e.roundLock.unlock();
        }
    }

    @Override
    public boolean remove(String name, boolean deleteFiles) {
        Experiment e = name == null ? null : experiments.get(name);
        if (e == null) {
            return false;
        }
        e.clearAutoResume();
        if (e.active()) {
            throw new FederationException("experiment '" + name + "' is running; pause or cancel it first");
        }
        e.roundLock.lock();
        try {
            experiments.remove(name, e);
            e.closeSetup();
        } finally {
            e.roundLock.unlock();
        }
        if (!deleteFiles) {
            deleteIntent(e);
        } else {
            try {
                CheckpointStore.deleteTree(e.directory);
            } catch (IOException x) {
                throw new FederationException("experiment '" + name + "' was removed but its directory " + e.directory
                        + " could not be deleted: " + x.getMessage(), x);
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- running

    @Override
    public RoundResult runRound(String name) {
        Experiment e = get(name);
        if (!e.activate(null)) {
            throw busy(e);
        }
        takeOver(e);
        try {
            return executeRound(e);
        } finally {
            finishActivity(e);
        }
    }

    @Override
    public List<RoundResult> runRounds(String name, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        Experiment e = get(name);
        if (!e.activate(null)) {
            throw busy(e);
        }
        takeOver(e);
        List<RoundResult> results = new ArrayList<>();
        try {
            for (int i = 0; i < rounds; i++) {
                if (stopRequested(e)) {
                    break;
                }
                results.add(executeRound(e));
                if (e.state() != State.RUNNING) {
                    break;
                }
            }
            return results;
        } finally {
            finishActivity(e);
        }
    }

    @Override
    public CompletableFuture<ExperimentStatus> start(String name) {
        Experiment e = get(name);
        int left = e.spec().rounds() - e.completedRounds();
        if (left <= 0) {
            return CompletableFuture.completedFuture(e.status());
        }
        return start(e, left);
    }

    @Override
    public CompletableFuture<ExperimentStatus> start(String name, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        return start(get(name), rounds);
    }

    /** Rounds run one by one by a caller replace an interrupted run: it no longer goes on by itself. */
    private static void takeOver(Experiment e) {
        e.clearAutoResume();
        deleteIntent(e);
    }

    private CompletableFuture<ExperimentStatus> start(Experiment e, int rounds) {
        CompletableFuture<ExperimentStatus> future = new CompletableFuture<>();
        if (!e.activate(future)) {
            throw busy(e);
        }
        e.clearAutoResume();
        return launch(e, rounds, future);
    }

    /**
     * Runs {@code rounds} rounds of an activated experiment in the background, recording the run in its
     * directory first so that it goes on by itself if the process stops meanwhile.
     */
    private CompletableFuture<ExperimentStatus> launch(Experiment e, int rounds,
            CompletableFuture<ExperimentStatus> future) {
        writeIntent(e, e.completedRounds() + rounds);
        try {
            runExecutor.execute(() -> runInBackground(e, rounds, future));
        } catch (RejectedExecutionException x) {
            e.setState(State.PAUSED, "the federation service is stopping");
            e.deactivate();
            throw new FederationException("experiment '" + e.name + "' cannot start: the federation service is "
                    + "stopping", x);
        }
        return future;
    }

    @Override
    public CompletableFuture<ExperimentStatus> resume(String name) {
        Experiment e = get(name);
        CompletableFuture<ExperimentStatus> running = e.run();
        if (running != null) {
            return running;
        }
        return start(name);
    }

    private void runInBackground(Experiment e, int rounds, CompletableFuture<ExperimentStatus> future) {
        Thread thread = Thread.currentThread();
        String threadName = thread.getName();
        thread.setName("fedfms-experiment-" + e.name);
        try {
            for (int i = 0; i < rounds; i++) {
                if (stopRequested(e)) {
                    break;
                }
                try {
                    executeRound(e);
                } catch (FederationException x) {
                    break;
                }
                if (e.state() != State.RUNNING) {
                    break;
                }
            }
        } catch (RuntimeException | Error x) {
            LOG.log(System.Logger.Level.ERROR, "experiment " + e.name + " failed", x);
            String message = "experiment '" + e.name + "' stopped on an internal error: " + RoundLoop.describe(x);
            e.setState(State.FAILED, message);
            publish(new FederationEvent.ExperimentFailed(e.name, e.completedRounds(), message));
        } finally {
            if (!stopping || e.userStopRequested) {
                deleteIntent(e);
            }
            finishActivity(e);
            thread.setName(threadName);
            future.complete(e.status());
        }
    }

    /** If a pause or cancel was asked for, marks the experiment paused and says so. */
    private boolean stopRequested(Experiment e) {
        if (!e.pauseRequested && !e.cancelRequested) {
            return false;
        }
        String message = stopping && !e.userStopRequested
                ? "paused after round " + e.completedRounds() + ": the federation service is stopping" + (autoResume
                        ? "; the run goes on by itself when the service starts again" : "")
                : "paused at request after round " + e.completedRounds();
        e.setState(State.PAUSED, message);
        publish(new FederationEvent.ExperimentPaused(e.name, e.completedRounds(), message));
        return true;
    }

    private void finishActivity(Experiment e) {
        if (e.deactivate()) {
            publish(new FederationEvent.ExperimentCompleted(e.name, e.completedRounds()));
        }
    }

    /** One round under the round lock, with the experiment's state and the events it implies. */
    private RoundResult executeRound(Experiment e) {
        e.roundLock.lock();
        try {
            RoundResult result = loop.run(e);
            publish(new FederationEvent.RoundCompleted(e.name, result));
            String checkpointError = e.checkpointError;
            if (checkpointError != null) {
                e.setState(State.PAUSED, checkpointError);
                publish(new FederationEvent.ExperimentPaused(e.name, e.completedRounds(), checkpointError));
            }
            return result;
        } catch (RoundAbort a) {
            String message = a.getMessage();
            if (a.kind() == RoundAbort.Kind.FAIL) {
                e.setState(State.FAILED, message);
                publish(new FederationEvent.ExperimentFailed(e.name, e.completedRounds(), message));
            } else {
                e.setState(State.PAUSED, message);
                publish(new FederationEvent.ExperimentPaused(e.name, e.completedRounds(), message));
            }
            throw new FederationException(message, a.getCause());
        } finally {
            e.roundLock.unlock();
        }
    }

    private static FederationException busy(Experiment e) {
        return new FederationException("experiment '" + e.name + "' is running; pause or cancel it first, or wait");
    }

    @Override
    public ExperimentStatus pause(String name) {
        Experiment e = get(name);
        Experiment.UserStop found = e.stopByUser(false);
        if (found == Experiment.UserStop.ACTIVE) {
            return e.status();
        }
        deleteIntent(e);
        if (found == Experiment.UserStop.WAS_MARKED
                || e.state() != State.PAUSED && e.state() != State.COMPLETED) {
            String message = "paused at request after round " + e.completedRounds();
            e.setState(State.PAUSED, message);
            publish(new FederationEvent.ExperimentPaused(e.name, e.completedRounds(), message));
        }
        return e.status();
    }

    @Override
    public ExperimentStatus cancel(String name) {
        Experiment e = get(name);
        Experiment.UserStop found = e.stopByUser(true);
        if (found != Experiment.UserStop.ACTIVE) {
            deleteIntent(e);
            if (found == Experiment.UserStop.WAS_MARKED) {
                String message = "cancelled at request after round " + e.completedRounds();
                e.setState(State.PAUSED, message);
                publish(new FederationEvent.ExperimentPaused(e.name, e.completedRounds(), message));
            }
            return e.status();
        }
        CompletableFuture<ExperimentStatus> run = e.run();
        if (run != null) {
            try {
                return run.get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException x) {
                // report where it stands now
            }
        }
        return e.status();
    }

    @Override
    public ExperimentStatus swapStrategy(String name, String strategyId, Map<String, ?> settings) {
        Experiment e = get(name);
        ExperimentSpec old = e.spec();
        if (!RoundLoop.aggregates(old.protocol())) {
            throw new FederationException("experiment '" + name + "' uses protocol " + old.protocol().id()
                    + ", which aggregates nothing; swapping its strategy would have no effect");
        }
        AggregationStrategy strategy = strategies.get(strategyId);
        if (strategy == null) {
            throw new FederationException("experiment '" + name + "': no strategy '" + strategyId
                    + "' is present (present: " + strategyIds() + ")");
        }
        StrategySession session = strategy.open(settings == null ? Map.of() : settings, strategyContext());
        Map<String, Object> bound = session.settings();
        int effective = e.completedRounds() + 1;
        String note = "strategy swapped before round " + effective + ": " + old.strategy() + " "
                + new TreeMap<>(old.strategySettings()) + " -> " + strategyId + " " + new TreeMap<>(bound);
        e.swap(old.withStrategy(strategyId, bound), new Experiment.PendingSwap(strategy, session, note));
        publish(new FederationEvent.StrategySwapped(name, old.strategy(), strategyId, bound, effective));
        return e.status();
    }
}
