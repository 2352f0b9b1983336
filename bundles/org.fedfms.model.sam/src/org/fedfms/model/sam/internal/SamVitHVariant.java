package org.fedfms.model.sam.internal;

import org.fedfms.model.ModelVariant;
import org.fedfms.model.sam.SamConfig;
import org.osgi.service.component.annotations.Component;

/** The model variant {@code sam-vit-h}. */
@Component(service = ModelVariant.class, property = ModelVariant.ID_PROPERTY + "=sam-vit-h")
public final class SamVitHVariant extends SamVariant {

    public SamVitHVariant() {
        super("sam-vit-h", "SAM ViT-H (official configuration: 1024 px, 32 blocks of width 1280, 641 M parameters)", SamConfig.VIT_H);
    }
}
