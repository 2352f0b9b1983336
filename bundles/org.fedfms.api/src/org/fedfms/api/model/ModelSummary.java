package org.fedfms.api.model;

import java.util.Map;

/**
 * Parameter counts of a model with an adapter type applied.
 *
 * @param model model variant id
 * @param adapter adapter type id, or empty for none
 * @param totalParameters every learnable scalar (buffers excluded)
 * @param trainableParameters the scalars that train and travel each round
 * @param partParameters learnable scalars per part (image_encoder, prompt_encoder, mask_decoder)
 * @param partTrainable trainable scalars per part
 * @param tensors number of learnable tensors
 * @param trainableTensors number of trainable tensors
 */
public record ModelSummary(String model, String adapter, long totalParameters, long trainableParameters,
        Map<String, Long> partParameters, Map<String, Long> partTrainable, int tensors, int trainableTensors) {

    public ModelSummary {
        adapter = adapter == null ? "" : adapter;
        partParameters = Map.copyOf(partParameters);
        partTrainable = Map.copyOf(partTrainable);
    }

    /** Bytes one site sends (or receives) per round at fp32: the trainable parameters. */
    public long bytesPerRoundFp32() {
        return trainableParameters * Float.BYTES;
    }
}
