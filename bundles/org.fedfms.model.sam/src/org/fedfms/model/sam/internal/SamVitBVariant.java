package org.fedfms.model.sam.internal;

import org.fedfms.model.ModelVariant;
import org.fedfms.model.sam.SamConfig;
import org.osgi.service.component.annotations.Component;

/** The model variant {@code sam-vit-b}. */
@Component(service = ModelVariant.class, property = ModelVariant.ID_PROPERTY + "=sam-vit-b")
public final class SamVitBVariant extends SamVariant {

    public SamVitBVariant() {
        super("sam-vit-b", "SAM ViT-B (official configuration: 1024 px, 12 blocks of width 768, 93.7 M parameters)", SamConfig.VIT_B);
    }
}
