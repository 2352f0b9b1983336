package org.fedfms.federation.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.fedfms.api.ServicesById;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.SiteProvider;

/**
 * The services the federation works with, present now and tracked by id as they come and go (strategies,
 * dataset loaders, trainer factories, site providers, prediction exporters, listeners), with the threads
 * the sites' calls run on and the events it publishes; and what an experiment needs of them.
 */
final class ServiceDirectory implements Services {

    private final ServicesById<AggregationStrategy> strategies = new ServicesById<>(AggregationStrategy::id);
    private final ServicesById<DatasetLoader> loaders = new ServicesById<>(DatasetLoader::id);
    private final ServicesById<SiteTrainerFactory> trainerFactories = new ServicesById<>(SiteTrainerFactory::id);
    private final ServicesById<SiteProvider> siteProviders = new ServicesById<>(SiteProvider::id);
    private final ServicesById<PredictionExporter> exporters = new ServicesById<>(PredictionExporter::id);
    final Set<FederationListener> listenerServices = ConcurrentHashMap.newKeySet();
    final Set<FederationListener> addedListeners = ConcurrentHashMap.newKeySet();

    private ExecutorService siteExecutor;
    private EventDispatcher events;
    /** Each experiment's last progress per site in its latest round. */
    private final Map<String, Map<String, FederationEvent.SiteProgress>> progress = new ConcurrentHashMap<>();

    /** Starts the site threads and the event thread. */
    void open() {
        siteExecutor = Executors.newCachedThreadPool(FederationServiceImpl.daemon("fedfms-site-"));
        events = new EventDispatcher(this::allListeners);
    }

    /** Stops the site threads (interrupting the calls still running) and the event thread. */
    void close() {
        siteExecutor.shutdownNow();
        events.close();
    }

    private Collection<FederationListener> allListeners() {
        List<FederationListener> all = new ArrayList<>(listenerServices);
        all.addAll(addedListeners);
        return all;
    }

    /**
     * Checks that the services a new experiment names are present and accept its settings.
     *
     * @return the session its strategy opened on its settings, for its first round; {@code null} for a
     *     protocol that does not aggregate
     * @throws FederationException naming what is missing
     */
    Experiment.PendingSwap checkServices(ExperimentSpec spec) {
        String name = spec.name();
        Experiment.PendingSwap opened = null;
        if (spec.protocol().aggregates()) {
            AggregationStrategy s = strategies.get(spec.strategy());
            if (s == null) {
                throw new FederationException("experiment '" + name + "': strategy '" + spec.strategy()
                        + "' is not present (present: " + strategies.ids() + ")");
            }
            opened = new Experiment.PendingSwap(s, s.open(spec.strategySettings(), strategyContext()), "");
            SecureRound.requireSumBased(spec, s, spec.strategySettings());
        }
        DatasetLoader loader = loaders.get(spec.dataset());
        boolean provided = loader == null && siteProviders.contains(spec.dataset());
        if (provided && !spec.protocol().aggregates()) {
            throw new FederationException("experiment '" + name + "': protocol " + spec.protocol().id() + " needs a "
                    + "dataset loader in this JVM; sites of provider '" + spec.dataset() + "' run federated or "
                    + "leave-one-site-out experiments only");
        }
        if (loader == null && !provided) {
            throw new FederationException("experiment '" + name + "': dataset loader '" + spec.dataset()
                    + "' is not present (present: " + loaders.ids() + ", site providers: " + siteProviders.ids() + ")");
        }
        if (loader != null) {
            loader.settings().bind(spec.datasetSettings());
        }
        if (opened != null && loader != null) {
            String few = tooFewSites(spec, opened.strategy(), spec.strategySettings());
            if (few != null) {
                throw new FederationException("experiment '" + name + "': " + few);
            }
        }
        SiteTrainerFactory trainer = trainerFactories.get(spec.trainer());
        if (!provided && trainer == null) {
            throw new FederationException("experiment '" + name + "': trainer factory '" + spec.trainer()
                    + "' is not present (present: " + trainerFactories.ids() + ")");
        }
        if (trainer != null) {
            List<String> problems = trainer.problems(spec.trainerSpec());
            if (!problems.isEmpty()) {
                throw new FederationException("experiment '" + name + "': trainer '" + spec.trainer() + "': "
                        + String.join("; ", problems));
            }
            LocalParameterCheck.atCreation(spec, trainer);
        }
        return opened;
    }

    /**
     * Why {@code strategy} with {@code settings} cannot aggregate the sites {@code spec} trains on now,
     * naming the settings and the site count; {@code null} if it can or the count is not known yet (a site
     * provider with no site joined, a dataset that cannot be loaded now: the round says).
     */
    String tooFewSites(ExperimentSpec spec, AggregationStrategy strategy, Map<String, ?> settings) {
        int needed = strategy.minimumSites(settings);
        if (needed <= 1) {
            return null;
        }
        int sites = trainingSites(spec);
        return sites <= 0 || sites >= needed ? null : tooFewSites(strategy.id(), settings, needed, sites, spec.dataset());
    }

    /** The message for a strategy that needs {@code needed} sites where the experiment has {@code sites}. */
    static String tooFewSites(String strategy, Map<String, ?> settings, int needed, int sites, String dataset) {
        return "strategy '" + strategy + "' with settings " + new TreeMap<>(settings) + " needs at least " + needed
                + " sites delivering updates in a round, but the experiment trains on " + sites + " site(s) of '"
                + dataset + "'; change the settings or use more sites";
    }

    /** The sites a round of {@code spec} trains on now, from its dataset or site provider; 0 if not known. */
    private int trainingSites(ExperimentSpec spec) {
        DatasetLoader loader = loaders.get(spec.dataset());
        if (loader == null) {
            SiteProvider provider = siteProviders.get(spec.dataset());
            try {
                return provider == null ? 0 : SiteProvider.trainingSites(spec,
                        provider.sites(spec).stream().map(FederatedSite::info).toList());
            } catch (RuntimeException x) {
                return 0;
            }
        }
        try {
            FederatedDataset dataset = loader.load(spec.datasetSettings());
            int n = dataset == null ? 0 : dataset.sites().size();
            return spec.protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT
                    && dataset.site(spec.unseenSite()).isPresent() ? n - 1 : n;
        } catch (DatasetException | RuntimeException x) {
            return 0;
        }
    }

    /** What a round of {@code spec} needs and is not present now, or {@code null} if a round could start. */
    String missingForRound(ExperimentSpec spec) {
        if (spec.protocol().aggregates() && !strategies.contains(spec.strategy())) {
            return "strategy '" + spec.strategy() + "'";
        }
        if (loaders.contains(spec.dataset())) {
            return trainerFactories.contains(spec.trainer()) ? null : "trainer factory '" + spec.trainer() + "'";
        }
        SiteProvider provider = siteProviders.get(spec.dataset());
        if (provider == null) {
            return "dataset loader or site provider '" + spec.dataset() + "'";
        }
        try {
            return provider.ready(spec) ? null : spec.participation().minSites() + " site(s) with training samples to join site "
                    + "provider '" + spec.dataset() + "'";
        } catch (RuntimeException x) {
            return "site provider '" + spec.dataset() + "' (it cannot say whether its sites are ready: "
                    + RoundMessages.describe(x) + ")";
        }
    }

    @Override
    public ServicesById<AggregationStrategy> strategies() {
        return strategies;
    }

    @Override
    public ServicesById<DatasetLoader> loaders() {
        return loaders;
    }

    @Override
    public ServicesById<SiteTrainerFactory> trainerFactories() {
        return trainerFactories;
    }

    /**
     * {@code spec} with a learning rate: its own, else (0) the one its trainer recommends for its model
     * variant, else {@link ExperimentSpec#FALLBACK_LEARNING_RATE}.
     */
    ExperimentSpec withLearningRate(ExperimentSpec spec) {
        if (spec.schedule().learningRate() > 0) {
            return spec;
        }
        SiteTrainerFactory f = trainerFactories.get(spec.trainer());
        double lr = (f == null ? java.util.OptionalDouble.empty() : f.learningRate(spec.model()))
                .orElse(ExperimentSpec.FALLBACK_LEARNING_RATE);
        return spec.toBuilder().learningRate(lr).build();
    }

    @Override
    public ServicesById<SiteProvider> siteProviders() {
        return siteProviders;
    }

    /** The prediction exporters present now, by the id of the trainer whose models they rebuild. */
    ServicesById<PredictionExporter> exporters() {
        return exporters;
    }

    @Override
    public StrategyContext strategyContext() {
        return strategies::find;
    }

    @Override
    public ExecutorService siteExecutor() {
        return siteExecutor;
    }

    @Override
    public void publish(FederationEvent event) {
        if (event instanceof FederationEvent.RoundStarted r) {
            progress.remove(r.experiment());
        } else if (event instanceof FederationEvent.SiteProgress p) {
            progress.computeIfAbsent(p.experiment(), x -> new ConcurrentSkipListMap<>()).put(p.site(), p);
        }
        events.publish(event);
    }

    /** The experiment's last progress per site in its latest round, by site id. */
    Map<String, FederationEvent.SiteProgress> progress(String experiment) {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(progress.getOrDefault(experiment,
                Map.of())));
    }
}
