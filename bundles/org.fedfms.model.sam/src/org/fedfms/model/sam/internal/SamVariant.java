package org.fedfms.model.sam.internal;

import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.sam.SamConfig;
import org.fedfms.model.sam.SamModel;

/** A SAM configuration offered as a model variant. */
abstract class SamVariant implements ModelVariant {

    private final String id;
    private final String description;
    private final SamConfig config;

    SamVariant(String id, String description, SamConfig config) {
        this.id = id;
        this.description = description;
        this.config = config;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public int inputSize() {
        return config.imageSize();
    }

    @Override
    public SegmentationModel create() {
        return new SamModel(id, config);
    }
}
