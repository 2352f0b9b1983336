package org.fedfms.federation.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.FederationException;

/** An {@link ExperimentInspector} over the models of one moment and the services present at that moment. */
final class Inspection implements ExperimentInspector {

    private final String name;
    private final ExperimentSpec spec;
    private final int round;
    private final ParameterSet global;
    private final Map<String, ParameterSet> local;
    private final DatasetLoader loader;
    private final PredictionExporter exporter;
    private final String missingExporter;
    private final SiteTrainerFactory factory;
    private final LocalParameters kept;
    private final Path directory;
    /** Why the sites' own models are not here (their local parameters stay at the site agents), else null. */
    private final String keptAtAgents;
    private final Map<String, FittedModels.Fitted> fitted = new HashMap<>();
    private FederatedDataset dataset;

    Inspection(Experiment e, RunControl runs, ServiceDirectory services) {
        name = e.name;
        Experiment.Progress p = e.progress();
        spec = p.spec();
        round = p.completedRounds();
        global = runs.globalParameters(e);
        local = spec.protocol() == Protocol.LOCAL_ONLY ? runs.localParameters(e) : Map.of();
        loader = services.loaders().get(spec.dataset());
        exporter = services.exporters().get(spec.trainer());
        factory = services.trainerFactories().get(spec.trainer());
        kept = LocalParameters.parse(spec.sharing().localParameters());
        directory = e.directory;
        keptAtAgents = kept.isEmpty() || loader != null || !services.siteProviders().contains(spec.dataset()) ? null
                : "experiment '" + name + "' keeps parameters '" + kept + "' (localParameters) at the site agents of "
                        + "site provider '" + spec.dataset() + "': each site's own values never reach the coordinator, "
                        + "which holds only the shared ones; look at a site's own model at that site";
        List<String> present = services.exporters().ids();
        missingExporter = exporter != null ? null : "trainer '" + spec.trainer() + "' has no prediction exporter "
                + "(exporters present: " + (present.isEmpty() ? "none" : String.join(", ", present)) + ")";
    }

    @Override
    public String experiment() {
        return name;
    }

    @Override
    public ExperimentSpec spec() {
        return spec;
    }

    @Override
    public int round() {
        return round;
    }

    @Override
    public String missingExporter() {
        return missingExporter;
    }

    @Override
    public boolean dataHere() {
        return loader != null;
    }

    @Override
    public synchronized FederatedDataset dataset() {
        if (dataset != null) {
            return dataset;
        }
        if (loader == null) {
            throw new FederationException("experiment '" + name + "': the data of '" + spec.dataset() + "' is not on "
                    + "this machine (no dataset loader '" + spec.dataset() + "'; a coordinator's sites keep their "
                    + "images); start its loader's bundle to look at it here");
        }
        try {
            dataset = loader.load(spec.datasetSettings());
        } catch (DatasetException | RuntimeException x) {
            throw new FederationException("experiment '" + name + "': dataset '" + spec.dataset() + "' with settings "
                    + new TreeMap<>(spec.datasetSettings()) + " cannot be loaded: " + RoundMessages.describe(x), x);
        }
        return dataset;
    }

    @Override
    public List<SiteData> sites(List<String> siteIds) {
        FederatedDataset d = dataset();
        if (siteIds.isEmpty()) {
            return d.sites();
        }
        List<String> all = d.sites().stream().map(SiteData::siteId).toList();
        List<String> unknown = siteIds.stream().filter(id -> !all.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("dataset '" + d.name() + "' has no site" + (unknown.size() == 1 ? " "
                    : "s ") + String.join(", ", unknown) + " (sites: " + String.join(", ", all) + ")");
        }
        return d.sites().stream().filter(s -> siteIds.contains(s.siteId())).toList();
    }

    @Override
    public String firstSite() {
        FederatedDataset d = dataset();
        if (spec.protocol() == Protocol.LEAVE_ONE_SITE_OUT && d.site(spec.unseenSite()).isPresent()) {
            return spec.unseenSite();
        }
        return d.sites().isEmpty() ? null : d.sites().get(0).siteId();
    }

    @Override
    public DataSplit evaluatedSplit(String siteId) {
        return spec.protocol() == Protocol.LEAVE_ONE_SITE_OUT && siteId.equals(spec.unseenSite()) ? DataSplit.TEST
                : DataSplit.VALIDATION;
    }

    @Override
    public boolean ownModel(String siteId) {
        return local.containsKey(siteId) || (!kept.isEmpty() && fitted(siteId) != null);
    }

    /** A local-only site's own model; a site's own local parameters over the global model; else the global model. */
    @Override
    public ParameterSet parameters(String siteId) {
        if (keptAtAgents != null) {
            throw new FederationException(keptAtAgents + " (site '" + siteId + "')");
        }
        if (local.containsKey(siteId)) {
            return local.get(siteId);
        }
        FittedModels.Fitted own = kept.isEmpty() ? null : fitted(siteId);
        return own == null ? global : global.withReplaced(kept.local(own.parameters()));
    }

    /** The global model. */
    ParameterSet global() {
        return global;
    }

    @Override
    public ParameterSet fittedParameters(String siteId) {
        if (local.containsKey(siteId)) {
            return local.get(siteId);
        }
        FittedModels.Fitted f = fitted(siteId);
        return f == null ? null : f.parameters();
    }

    /** The round in which {@link #fittedParameters} were fitted; the inspection's round for a local-only model. */
    int fittedRound(String siteId) {
        FittedModels.Fitted f = local.containsKey(siteId) ? null : fitted(siteId);
        return f == null ? round : f.round();
    }

    private synchronized FittedModels.Fitted fitted(String siteId) {
        if (!spec.protocol().aggregates()) {
            return null;
        }
        if (!fitted.containsKey(siteId)) {
            try {
                fitted.put(siteId, new FittedModels(directory, siteId).latestUpTo(round));
            } catch (java.io.IOException x) {
                throw new FederationException("experiment '" + name + "': " + x.getMessage(), x);
            }
        }
        return fitted.get(siteId);
    }

    @Override
    public CrossSiteEvaluation crossEvaluate(TrainingMonitor monitor) throws Exception {
        if (keptAtAgents != null) {
            throw new FederationException("cannot cross-evaluate: " + keptAtAgents);
        }
        return CrossEvaluation.run(this, factory, monitor);
    }

    private PredictionExporter exporter() {
        if (exporter == null) {
            throw new FederationException("experiment '" + name + "': " + missingExporter);
        }
        return exporter;
    }

    private TrainerSpec trainerSpec() {
        return spec.trainerSpec();
    }

    @Override
    public List<SampleMetrics> evaluateSamples(SiteData site, DataSplit split, List<String> sampleIds,
            TrainingMonitor monitor) throws Exception {
        return exporter().evaluateSamples(trainerSpec(), site, split, sampleIds, parameters(site.siteId()), monitor);
    }

    @Override
    public List<SampleMetrics> export(SiteData site, DataSplit split, List<String> sampleIds, Path directory,
            TrainingMonitor monitor) throws Exception {
        return exporter().export(trainerSpec(), site, split, sampleIds, parameters(site.siteId()), directory, monitor);
    }

    @Override
    public List<SamplePrediction> predict(SiteData site, DataSplit split, List<String> sampleIds,
            TrainingMonitor monitor) throws Exception {
        return exporter().predict(trainerSpec(), site, split, sampleIds, parameters(site.siteId()), monitor);
    }

    @Override
    public void drawOverlay(SamplePrediction prediction, String caption, Path file) throws Exception {
        exporter().drawOverlay(prediction, caption, file);
    }
}
