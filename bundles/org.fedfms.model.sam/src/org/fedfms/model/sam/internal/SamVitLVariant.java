package org.fedfms.model.sam.internal;

import org.fedfms.model.ModelVariant;
import org.fedfms.model.sam.SamConfig;
import org.osgi.service.component.annotations.Component;

/** The model variant {@code sam-vit-l}. */
@Component(service = ModelVariant.class, property = ModelVariant.ID_PROPERTY + "=sam-vit-l")
public final class SamVitLVariant extends SamVariant {

    public SamVitLVariant() {
        super("sam-vit-l", "SAM ViT-L (official configuration: 1024 px, 24 blocks of width 1024, 312 M parameters)", SamConfig.VIT_L);
    }
}
