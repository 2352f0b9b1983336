package org.fedfms.api.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;

/**
 * Looks at a trained model sample by sample: per-sample metrics, pictures of its predictions
 * (image, ground truth, prediction) for chosen samples, and the predictions themselves for viewers. It rebuilds the model a
 * {@link SiteTrainerFactory} of the same id would build from the same {@link TrainerSpec}, with the
 * given trainable parameters. An OSGi service with an {@code id} property equal to {@link #id()}.
 */
public interface PredictionExporter {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** The id of the trainer factory whose models this exporter rebuilds, e.g. {@code djl}. */
    String id();

    /**
     * The metrics of each chosen sample, in the split's order.
     *
     * @param sampleIds ids of the samples to evaluate; empty for every sample of the split
     * @param trainable the trainable parameters (e.g. an experiment's global model)
     * @throws IllegalArgumentException naming sample ids the split does not hold
     */
    List<SampleMetrics> evaluateSamples(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, TrainingMonitor monitor) throws Exception;

    /**
     * Writes one PNG per chosen sample into {@code directory} (created if absent): the image, the
     * image with the ground truth, the image with the prediction (ground truth outlined), side by side.
     *
     * @return the samples' metrics with the files written
     */
    List<SampleMetrics> export(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, Path directory, TrainingMonitor monitor) throws Exception;

    /**
     * The predictions for chosen samples, in the order of {@code sampleIds}, at each sample's resolution, with the
     * decoded samples and their metrics (equal to what {@link #evaluateSamples} reports), for a viewer to
     * draw. Holds every chosen sample in memory: choose a few.
     *
     * @param sampleIds ids of the samples to predict; empty for every sample of the split
     * @param trainable the trainable parameters (e.g. an experiment's global model)
     * @throws IllegalArgumentException naming sample ids the split does not hold
     * @throws UnsupportedOperationException when this exporter does not hand out predictions
     */
    default List<SamplePrediction> predict(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, TrainingMonitor monitor) throws Exception {
        throw new UnsupportedOperationException("prediction exporter '" + id() + "' does not hand out predictions"
                + " (use export for pictures)");
    }

    /**
     * Writes the picture {@link #export} would write for a prediction already made (no model is run), with
     * {@code caption} drawn above it (e.g. the case and its Dice), whole or not at all.
     *
     * @throws UnsupportedOperationException when this exporter does not draw given predictions
     */
    default void drawOverlay(SamplePrediction prediction, String caption, Path file) throws IOException {
        throw new UnsupportedOperationException("prediction exporter '" + id() + "' does not draw given predictions");
    }
}
