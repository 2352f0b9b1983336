package org.fedfms.federation;

import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainingMonitor;

/**
 * One experiment's model looked at sample by sample on the data this JVM holds, as it was when
 * {@link FederationService#inspect(String)} was called: its sites, the split each is evaluated on, the
 * model that predicts each (a local-only site's own, a personalized site's, else the global one), per-sample
 * metrics, PNG overlays and predictions through the {@link org.fedfms.api.train.PredictionExporter} of its trainer.
 */
public interface ExperimentInspector {

    /** The experiment's name. */
    String experiment();

    /** Its spec at inspection. */
    ExperimentSpec spec();

    /** The rounds completed when the models were taken; 0 means the initial, untrained model. */
    int round();

    /**
     * Why per-sample work cannot be done here for lack of an exporter, e.g. {@code trainer 'x' has no
     * prediction exporter (exporters present: none)}; {@code null} when the trainer's exporter is present.
     */
    String missingExporter();

    /** Whether the experiment's dataset loader is present in this JVM (a coordinator's sites keep their data). */
    boolean dataHere();

    /**
     * The experiment's dataset, loaded on first use.
     *
     * @throws FederationException if its loader is not present or cannot load it
     */
    FederatedDataset dataset();

    /**
     * The chosen sites of the dataset, in its order.
     *
     * @param siteIds the sites; empty for every site
     * @throws IllegalArgumentException naming sites the dataset does not have
     */
    List<SiteData> sites(List<String> siteIds);

    /** The site a viewer shows first: the unseen site of leave-one-site-out, else the first; null if none. */
    String firstSite();

    /** The split the experiment evaluates the site on every round: test for the unseen site, else validation. */
    DataSplit evaluatedSplit(String siteId);

    /**
     * Whether the site is predicted by a model of its own (local-only, or the global model with the site's own
     * local parameters) rather than the global model.
     */
    boolean ownModel(String siteId);

    /** The parameters that predict the site's samples. */
    ParameterSet parameters(String siteId);

    /**
     * The metrics of the chosen samples of a site's split under {@link #parameters(String)}.
     *
     * @param sampleIds the samples; empty for every sample of the split
     * @throws FederationException if the trainer's exporter is not present
     */
    List<SampleMetrics> evaluateSamples(SiteData site, DataSplit split, List<String> sampleIds,
            TrainingMonitor monitor) throws Exception;

    /** Like {@link #evaluateSamples}, also writing a PNG overlay per sample into {@code directory}. */
    List<SampleMetrics> export(SiteData site, DataSplit split, List<String> sampleIds, Path directory,
            TrainingMonitor monitor) throws Exception;

    /** The predictions of the chosen samples, with the decoded samples, for a viewer to draw. */
    List<SamplePrediction> predict(SiteData site, DataSplit split, List<String> sampleIds, TrainingMonitor monitor)
            throws Exception;

    /**
     * Writes the overlay PNG of a prediction already made (by {@link #predict}) with {@code caption} drawn
     * above it, through the trainer's exporter; no model is run.
     *
     * @throws FederationException if the trainer's exporter is not present
     */
    void drawOverlay(SamplePrediction prediction, String caption, Path file) throws Exception;

    /**
     * The parameters site {@code siteId} fitted in the last round it trained (up to {@link #round()}), complete
     * with its own local parameters; for a local-only site its own model; {@code null} if it has none (it never
     * trained, or the protocol keeps no site models).
     *
     * @throws FederationException if its kept model cannot be read
     */
    ParameterSet fittedParameters(String siteId);

    /**
     * Scores the global model and every site's {@linkplain #fittedParameters fitted} model on every site's
     * {@linkplain #evaluatedSplit evaluated split}, with trainers of the experiment's trainer factory.
     *
     * @throws FederationException if the data or the trainer factory is not present here, or a scoring fails
     */
    CrossSiteEvaluation crossEvaluate(TrainingMonitor monitor) throws Exception;
}
