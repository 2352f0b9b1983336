package org.fedfms.api.model;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What faces (shell, workbench, REST) do with models, without touching a deep learning engine: list
 * the model variants and adapter types present now, count a model's parameters, check a weights file
 * against a model, and run a model on one image. An OSGi service.
 */
public interface ModelService {

    /** The model variants present now, by id. */
    List<ModelVariantInfo> variants();

    /** The adapter types present now, by id. */
    List<AdapterTypeInfo> adapters();

    /**
     * Counts the parameters of a model with an adapter type applied, without allocating them.
     *
     * @param adapter adapter type id, or {@code null}/empty for the plain model (everything trains)
     * @param adapterSettings the adapter's settings by name
     * @throws IllegalArgumentException naming an unknown model or adapter (and those present)
     */
    ModelSummary summarize(String model, String adapter, Map<String, ?> adapterSettings);

    /**
     * Loads a weights file into a new model (on the CPU) and reports what it held.
     *
     * @throws IllegalArgumentException if the tensors do not fit (listing every missing, unexpected
     *     and mis-shaped tensor) or the model is unknown
     * @throws IOException if the file cannot be read
     */
    WeightsReport loadWeights(String model, String adapter, java.nio.file.Path file) throws IOException;

    /** Runs a model on one image and writes its outputs (see {@link PredictionRequest}). */
    PredictionResult predict(PredictionRequest request) throws IOException;
}
