package org.fedfms.api.model;

import java.util.Map;

/**
 * A model variant as faces list it.
 *
 * @param id e.g. {@code sam-vit-b}
 * @param description one sentence
 * @param inputSize square input size in pixels
 * @param parameterCount total parameters
 * @param partCounts parameters per part (image_encoder, prompt_encoder, mask_decoder)
 */
public record ModelVariantInfo(String id, String description, int inputSize, long parameterCount,
        Map<String, Long> partCounts) {

    public ModelVariantInfo {
        partCounts = Map.copyOf(partCounts);
    }
}
