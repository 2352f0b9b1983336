package org.fedfms.model;

import org.fedfms.api.model.ModelVariantInfo;

/**
 * A model variant (e.g. {@code sam-vit-b}): builds segmentation models of one configuration. An OSGi
 * service with an {@code id} property equal to {@link #id()}.
 */
public interface ModelVariant {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** Short unique id, e.g. {@code sam-vit-b}. */
    String id();

    /** One sentence. */
    String description();

    /** Square input size in pixels. */
    int inputSize();

    /**
     * The Adam learning rate that fine-tunes this variant well when an experiment gives none: the FedFMS
     * reference's 1e-4 for full-size models.
     */
    default double learningRate() {
        return 1e-4;
    }

    /**
     * A new model of this variant: its structure only, with parameter shapes but no memory. Apply
     * adapter types, then {@link SegmentationModel#initialize} it.
     */
    SegmentationModel create();

    /** The variant as faces list it, counted without allocating parameters. */
    default ModelVariantInfo info() {
        try (SegmentationModel m = create()) {
            return new ModelVariantInfo(id(), description(), inputSize(), m.parameterCount(), m.partCounts());
        }
    }
}
