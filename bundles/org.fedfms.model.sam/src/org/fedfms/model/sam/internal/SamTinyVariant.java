package org.fedfms.model.sam.internal;

import org.fedfms.model.ModelVariant;
import org.fedfms.model.sam.SamConfig;
import org.osgi.service.component.annotations.Component;

/** The model variant {@code sam-tiny}. */
@Component(service = ModelVariant.class, property = ModelVariant.ID_PROPERTY + "=sam-tiny")
public final class SamTinyVariant extends SamVariant {

    public SamTinyVariant() {
        super("sam-tiny", "SAM architecture at toy scale for CPU tests (128 px, 4 blocks of width 64, prompt dimension 32)", SamConfig.TINY);
    }

    /** 2e-3: at 1e-4 sam-tiny barely moves in a few rounds (validation Dice stays near its start). */
    @Override
    public double learningRate() {
        return 2e-3;
    }
}
