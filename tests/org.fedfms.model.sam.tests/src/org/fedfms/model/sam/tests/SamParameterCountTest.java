package org.fedfms.model.sam.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.fedfms.api.model.ModelVariantInfo;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.ModelParameter;
import org.junit.jupiter.api.Test;

/** Parameter counts and names of the official configurations, counted without allocating. */
class SamParameterCountTest {

    @Test
    void vitBMatchesTheOfficialCountsPerPart() {
        ModelVariantInfo info = Services.variant("sam-vit-b").info();
        assertEquals(1024, info.inputSize());
        assertEquals(Map.of("image_encoder", 89_670_912L, "prompt_encoder", 6_220L, "mask_decoder", 4_058_340L),
                info.partCounts());
        assertEquals(93_735_472L, info.parameterCount());
    }

    @Test
    void vitLAndVitHMatchTheOfficialTotals() {
        ModelVariantInfo l = Services.variant("sam-vit-l").info();
        assertEquals(312_342_832L, l.parameterCount());
        assertEquals(308_278_272L, l.partCounts().get("image_encoder"));
        ModelVariantInfo h = Services.variant("sam-vit-h").info();
        assertEquals(641_090_608L, h.parameterCount());
        assertEquals(637_026_048L, h.partCounts().get("image_encoder"));
        assertEquals(6_220L, h.partCounts().get("prompt_encoder"));
        assertEquals(4_058_340L, h.partCounts().get("mask_decoder"));
    }

    @Test
    void tensorsCarryTheOfficialCheckpointNamesAndShapes() {
        try (SegmentationModel m = Services.variant("sam-vit-b").create()) {
            Map<String, ModelParameter> t = m.tensors();
            assertArrayEquals(new long[] {2304, 768}, t.get("image_encoder.blocks.0.attn.qkv.weight").shape());
            assertArrayEquals(new long[] {27, 64}, t.get("image_encoder.blocks.0.attn.rel_pos_h").shape());
            assertArrayEquals(new long[] {127, 64}, t.get("image_encoder.blocks.2.attn.rel_pos_w").shape());
            assertArrayEquals(new long[] {1, 64, 64, 768}, t.get("image_encoder.pos_embed").shape());
            assertArrayEquals(new long[] {256, 256, 3, 3}, t.get("image_encoder.neck.2.weight").shape());
            assertArrayEquals(new long[] {256, 64, 2, 2}, t.get("mask_decoder.output_upscaling.0.weight").shape());
            assertArrayEquals(new long[] {64, 32, 2, 2}, t.get("mask_decoder.output_upscaling.3.weight").shape());
            assertArrayEquals(new long[] {16, 4, 2, 2}, t.get("prompt_encoder.mask_downscaling.3.weight").shape());
            assertArrayEquals(new long[] {128, 256},
                    t.get("mask_decoder.transformer.layers.0.cross_attn_token_to_image.q_proj.weight").shape());
            assertTrue(t.containsKey("mask_decoder.output_hypernetworks_mlps.3.layers.2.bias"));
            assertTrue(t.containsKey("mask_decoder.iou_prediction_head.layers.2.weight"));
            assertTrue(t.containsKey("mask_decoder.transformer.norm_final_attn.weight"));
            assertTrue(t.containsKey("prompt_encoder.point_embeddings.3.weight"));
            ModelParameter gaussian = t.get("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix");
            assertTrue(gaussian.isBuffer());
            assertFalse(gaussian.isTrainable());
            assertArrayEquals(new long[] {2, 128}, gaussian.shape());
            assertFalse(m.parameters().containsKey(gaussian.name()));
            assertEquals(m.parameters().size() + 1, t.size());
            assertEquals(93_735_472L, m.trainableParameterCount(), "everything trains by default");
        }
    }
}
