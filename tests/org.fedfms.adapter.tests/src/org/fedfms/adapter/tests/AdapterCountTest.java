package org.fedfms.adapter.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.fedfms.api.settings.SettingsException;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.ModelParameter;
import org.junit.jupiter.api.Test;

/** What each adapter type inserts into sam-vit-b and what then trains, counted without allocating. */
class AdapterCountTest {

    private static final long VIT_B = 93_735_472L;
    private static final long DECODER = 4_058_340L;

    private static SegmentationModel vitB(String adapter, Map<String, ?> settings) {
        SegmentationModel m = Services.variant("sam-vit-b").create();
        Services.adapter(adapter).apply(m, settings);
        return m;
    }

    private static long addedBy(SegmentationModel m, String adapter) {
        return m.tensors().values().stream().filter(p -> adapter.equals(p.addedBy())).mapToLong(ModelParameter::size)
                .sum();
    }

    @Test
    void msaAddsTwentyFourAdaptersOfTheReferenceSizeAndTrainsThemWithTheDecoder() {
        try (SegmentationModel m = vitB("msa", Map.of())) {
            assertEquals(7_100_928L, addedBy(m, "msa"));
            assertEquals(VIT_B + 7_100_928L, m.parameterCount());
            assertEquals(11_159_268L, m.trainableParameterCount());
            assertEquals(Map.of("image_encoder", 7_100_928L, "prompt_encoder", 0L, "mask_decoder", DECODER),
                    m.trainablePartCounts());
            Map<String, ModelParameter> t = m.tensors();
            assertArrayEquals(new long[] {192, 768}, t.get("image_encoder.blocks.0.Space_Adapter.D_fc1.weight").shape());
            assertArrayEquals(new long[] {768}, t.get("image_encoder.blocks.11.MLP_Adapter.D_fc2.bias").shape());
            assertTrue(t.get("image_encoder.blocks.11.MLP_Adapter.D_fc2.bias").isTrainable());
            assertTrue(!t.get("image_encoder.blocks.11.attn.qkv.weight").isTrainable());
            assertTrue(!t.get("prompt_encoder.no_mask_embed.weight").isTrainable());
            assertEquals(java.util.List.of("msa"), m.adapters());
        }
    }

    @Test
    void fullTrainsEverythingAndDecoderOnlyTheMaskDecoder() {
        try (SegmentationModel m = vitB("full", Map.of())) {
            assertEquals(VIT_B, m.trainableParameterCount());
        }
        try (SegmentationModel m = vitB("decoder", Map.of())) {
            assertEquals(VIT_B, m.parameterCount());
            assertEquals(DECODER, m.trainableParameterCount());
            assertEquals(Map.of("image_encoder", 0L, "prompt_encoder", 0L, "mask_decoder", DECODER),
                    m.trainablePartCounts());
        }
    }

    @Test
    void loraAddsRankRUpdatesToTheAttentionProjections() {
        try (SegmentationModel m = vitB("lora", Map.of())) {
            long perBlock = 4 * 768 + 2304 * 4;
            assertEquals(12 * perBlock, addedBy(m, "lora"));
            assertEquals(12 * perBlock + DECODER, m.trainableParameterCount());
            assertArrayEquals(new long[] {4, 768}, m.tensors().get("image_encoder.blocks.3.attn.qkv.lora_A").shape());
            assertArrayEquals(new long[] {2304, 4}, m.tensors().get("image_encoder.blocks.3.attn.qkv.lora_B").shape());
        }
        try (SegmentationModel m = vitB("lora", Map.of("rank", "8", "targets", "qkv,proj"))) {
            long perBlock = 8 * 768 + 2304 * 8 + 8 * 768 + 768 * 8;
            assertEquals(12 * perBlock, addedBy(m, "lora"));
            assertTrue(m.tensors().containsKey("image_encoder.blocks.11.attn.proj.lora_B"));
        }
    }

    @Test
    void badSettingsAreReportedTogether() {
        SegmentationModel m = Services.variant("sam-tiny").create();
        SettingsException e = assertThrows(SettingsException.class,
                () -> Services.adapter("lora").apply(m, Map.of("rank", "0", "targets", "mlp", "depth", "2")));
        assertTrue(e.getMessage().contains("rank") && e.getMessage().contains("targets")
                && e.getMessage().contains("depth"), e.getMessage());
        m.close();
    }
}
