package org.fedfms.federation.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.ServicesById;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FedfmsHome;
import org.fedfms.federation.FederationEvent;
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
 * The federation service: a facade over the {@link ServiceDirectory} (the strategies, dataset loaders,
 * trainer factories, site providers and listeners present now), the {@link ExperimentCatalogue}, the
 * {@link RunControl} that runs rounds and the {@link AutoResume} of interrupted runs.
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
public class FederationServiceImpl implements FederationService {

    /** Configuration pid. */
    public static final String PID = "org.fedfms.federation";
    /** Configuration property: the experiments directory. */
    public static final String EXPERIMENTS_DIR = "experiments.dir";
    /** Framework or system property: the FedFMS working directory. */
    public static final String WORKDIR_PROPERTY = FedfmsHome.PROPERTY;
    /** Configuration property: whether interrupted runs go on by themselves (default true). */
    public static final String AUTO_RESUME = "autoResume";
    /** Framework or system property: whether interrupted runs go on by themselves (default true). */
    public static final String AUTO_RESUME_PROPERTY = "fedfms.federation.autoResume";

    private final ServiceDirectory services = new ServiceDirectory();
    private ExperimentCatalogue catalogue;
    private RunControl runs;
    private AutoResume autoResume;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        boolean resumeByItself = AutoResume.enabled(properties, context::getProperty);
        services.open();
        catalogue = new ExperimentCatalogue(experimentsDirectory(properties, context::getProperty));
        runs = new RunControl(catalogue, services, resumeByItself);
        autoResume = new AutoResume(resumeByItself, catalogue, services, runs);
        catalogue.restoreAll(autoResume::continueInterruptedRun);
        autoResume.start();
    }

    @Deactivate
    void deactivate() {
        runs.beginStopping();
        autoResume.stop();
        runs.stopAll();
        services.close();
        for (Experiment e : catalogue.all()) {
            if (e.roundLock.tryLock()) {
                try {
                    e.closeSetup();
                } finally {
                    e.roundLock.unlock();
                }
            }
        }
    }

    static Path experimentsDirectory(Map<String, Object> properties, UnaryOperator<String> env) {
        Object configured = properties.get(EXPERIMENTS_DIR);
        if (configured != null && !configured.toString().isBlank()) {
            return Path.of(configured.toString()).toAbsolutePath();
        }
        return FedfmsHome.directory(env).resolve("experiments");
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- services present now

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addStrategy(AggregationStrategy strategy, Map<String, Object> properties) {
        arrived(services.strategies(), strategy, properties);
    }

    void removeStrategy(AggregationStrategy strategy) {
        services.strategies().remove(strategy);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLoader(DatasetLoader loader, Map<String, Object> properties) {
        arrived(services.loaders(), loader, properties);
    }

    void removeLoader(DatasetLoader loader) {
        services.loaders().remove(loader);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        arrived(services.trainerFactories(), factory, properties);
    }

    void removeTrainerFactory(SiteTrainerFactory factory) {
        services.trainerFactories().remove(factory);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSiteProvider(SiteProvider provider, Map<String, Object> properties) {
        arrived(services.siteProviders(), provider, properties);
    }

    void removeSiteProvider(SiteProvider provider) {
        services.siteProviders().remove(provider);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addExporter(PredictionExporter exporter, Map<String, Object> properties) {
        services.exporters().add(exporter, properties);
    }

    void removeExporter(PredictionExporter exporter) {
        services.exporters().remove(exporter);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFederationListener(FederationListener listener) {
        services.listenerServices.add(listener);
    }

    void removeFederationListener(FederationListener listener) {
        services.listenerServices.remove(listener);
    }

    /**
     * Records a bound service a round may need; it may be what an interrupted run waits for (services bound
     * before activation wait for the first check).
     */
    private <S> void arrived(ServicesById<S> present, S service, Map<String, Object> properties) {
        present.add(service, properties);
        AutoResume a = autoResume;
        if (a != null) {
            a.checkSoon();
        }
    }

    @Override
    public List<AggregationStrategy> strategies() {
        return services.strategies().services();
    }

    @Override
    public List<DatasetLoader> loaders() {
        return services.loaders().services();
    }

    @Override
    public List<SiteTrainerFactory> trainerFactories() {
        return services.trainerFactories().services();
    }

    @Override
    public void addListener(FederationListener listener) {
        services.addedListeners.add(listener);
    }

    @Override
    public void removeListener(FederationListener listener) {
        services.addedListeners.remove(listener);
    }

    @Override
    public Path experimentsDirectory() {
        return catalogue.base();
    }

    // ---------------------------------------------------------------- experiments

    @Override
    public ExperimentStatus create(ExperimentSpec given) {
        ExperimentSpec spec = services.withLearningRate(given.requireValid());
        return catalogue.create(spec, services.checkServices(spec)).status();
    }

    @Override
    public ExperimentStatus replace(ExperimentSpec given) {
        ExperimentSpec spec = services.withLearningRate(given.requireValid());
        Experiment.PendingSwap opened = services.checkServices(spec);
        Experiment old = catalogue.find(spec.name());
        if (old != null) {
            runs.cancel(old);
            catalogue.remove(spec.name(), true);
        }
        return catalogue.create(spec, opened).status();
    }

    @Override
    public List<ExperimentStatus> experiments() {
        return catalogue.statuses();
    }

    @Override
    public ExperimentStatus status(String name) {
        return catalogue.get(name).status();
    }

    @Override
    public Map<String, FederationEvent.SiteProgress> progress(String name) {
        catalogue.get(name);
        return services.progress(name);
    }

    @Override
    public ExperimentSpec spec(String name) {
        return catalogue.get(name).progress().spec();
    }

    @Override
    public List<RoundResult> history(String name) {
        return catalogue.get(name).progress().history();
    }

    @Override
    public ParameterSet globalParameters(String name) {
        return runs.globalParameters(catalogue.get(name));
    }

    @Override
    public Map<String, ParameterSet> localParameters(String name) {
        return runs.localParameters(catalogue.get(name));
    }

    @Override
    public ExperimentInspector inspect(String name) {
        return new Inspection(catalogue.get(name), runs, services);
    }

    @Override
    public boolean remove(String name, boolean deleteFiles) {
        return catalogue.remove(name, deleteFiles);
    }

    // ---------------------------------------------------------------- running

    @Override
    public RoundResult runRound(String name) {
        return runs.runRound(catalogue.get(name));
    }

    @Override
    public List<RoundResult> runRounds(String name, int rounds) {
        requirePositive(rounds);
        return runs.runRounds(catalogue.get(name), rounds);
    }

    @Override
    public CompletableFuture<ExperimentStatus> start(String name) {
        Experiment e = catalogue.get(name);
        Experiment.Progress p = e.progress();
        int left = p.spec().schedule().rounds() - p.completedRounds();
        if (left <= 0) {
            return CompletableFuture.completedFuture(e.status());
        }
        return runs.start(e, left);
    }

    @Override
    public CompletableFuture<ExperimentStatus> start(String name, int rounds) {
        requirePositive(rounds);
        return runs.start(catalogue.get(name), rounds);
    }

    private static void requirePositive(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
    }

    @Override
    public CompletableFuture<ExperimentStatus> resume(String name) {
        CompletableFuture<ExperimentStatus> running = catalogue.get(name).run();
        return running != null ? running : start(name);
    }

    @Override
    public ExperimentStatus pause(String name) {
        return runs.pause(catalogue.get(name));
    }

    @Override
    public ExperimentStatus cancel(String name) {
        return runs.cancel(catalogue.get(name));
    }

    @Override
    public ExperimentStatus swapStrategy(String name, String strategyId, Map<String, ?> settings) {
        return runs.swapStrategy(catalogue.get(name), strategyId, settings);
    }
}
