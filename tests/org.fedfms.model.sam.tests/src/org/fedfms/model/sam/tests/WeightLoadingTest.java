package org.fedfms.model.sam.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.model.LoadMode;
import org.fedfms.model.LoadReport;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.WeightLoadException;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.model.sam.SamCheckpointNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Saving and loading sam-tiny's weights: files, Hugging Face names, and errors that list every problem. */
class WeightLoadingTest {

    @TempDir
    Path dir;

    private static SegmentationModel tiny(long seed) {
        SegmentationModel m = Services.variant("sam-tiny").create();
        m.initialize(Services.runtime().newManager(Device.cpu()), seed);
        return m;
    }

    private static float[] predict(SegmentationModel m) {
        try (NDManager batch = m.manager().newSubManager()) {
            float[] v = new float[3 * 128 * 128];
            Random r = new Random(9);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return m.predict(batch.create(v, new Shape(1, 3, 128, 128)), Prompts.none(), true).masks().toFloatArray();
        }
    }

    private void roundTrip(String fileName) throws IOException {
        try (SegmentationModel a = tiny(1); SegmentationModel b = tiny(2)) {
            assertTrue(a.toParameterSet(ParameterScope.STATE).maxAbsDifference(b.toParameterSet(ParameterScope.STATE)) > 0);
            Path f = dir.resolve(fileName);
            ParameterFiles.write(f, a.toParameterSet(ParameterScope.STATE));
            LoadReport r = b.load(ParameterFiles.read(f), LoadMode.EXACT);
            assertEquals(a.tensors().size(), r.tensorsLoaded());
            assertEquals(a.parameterCount() + 2 * 16, r.valuesLoaded(), "parameters plus the 2x16 Fourier buffer");
            assertEquals(0.0, a.toParameterSet(ParameterScope.STATE).maxAbsDifference(b.toParameterSet(ParameterScope.STATE)));
            assertArrayEquals(predict(a), predict(b), 0f);
        }
    }

    @Test
    void safetensorsRoundTripGivesTheSameModel() throws IOException {
        roundTrip("tiny.safetensors");
    }

    @Test
    void npzRoundTripGivesTheSameModel() throws IOException {
        roundTrip("tiny.npz");
    }

    @Test
    void oneErrorListsEveryMissingUnexpectedAndMisshapedTensorAndNothingChanges() {
        try (SegmentationModel a = tiny(1); SegmentationModel b = tiny(2)) {
            ParameterSet state = a.toParameterSet(ParameterScope.STATE);
            ParameterSet.Builder bad = ParameterSet.builder();
            for (Tensor t : state.tensors()) {
                switch (t.name()) {
                    case "mask_decoder.iou_token.weight", "image_encoder.pos_embed" -> { }
                    case "mask_decoder.mask_tokens.weight" -> bad.add(t.name(), new int[] {2, 64}, t.values());
                    default -> bad.add(t);
                }
            }
            bad.add("image_encoder.blocks.0.attn.extra", new int[] {1}, new float[] {1});
            ParameterSet before = b.toParameterSet(ParameterScope.STATE);
            WeightLoadException e = assertThrows(WeightLoadException.class, () -> b.load(bad.build(), LoadMode.EXACT));
            assertEquals(List.of("image_encoder.pos_embed", "mask_decoder.iou_token.weight"), e.missing());
            assertEquals(List.of("image_encoder.blocks.0.attn.extra"), e.unexpected());
            assertEquals(List.of("mask_decoder.mask_tokens.weight: given [2, 64], model [4, 32]"), e.misshaped());
            assertTrue(e.getMessage().contains("2 missing: image_encoder.pos_embed, mask_decoder.iou_token.weight")
                    && e.getMessage().contains("1 unexpected") && e.getMessage().contains("1 mis-shaped"), e.getMessage());
            assertEquals(0.0, before.maxAbsDifference(b.toParameterSet(ParameterScope.STATE)), "nothing was loaded");
            LoadReport partial = b.load(state.select(n -> n.startsWith("mask_decoder.")), LoadMode.SUBSET);
            assertTrue(partial.keptInitial().contains("image_encoder.pos_embed"));
        }
    }

    @Test
    void huggingFaceNamesMapOntoTheOfficialOnes() {
        assertEquals("vision_encoder.layers.0.layer_norm1.weight",
                SamCheckpointNames.huggingFaceName("image_encoder.blocks.0.norm1.weight"));
        assertEquals("vision_encoder.neck.conv2.weight", SamCheckpointNames.huggingFaceName("image_encoder.neck.2.weight"));
        assertEquals("vision_encoder.patch_embed.projection.bias",
                SamCheckpointNames.huggingFaceName("image_encoder.patch_embed.proj.bias"));
        assertEquals("mask_decoder.output_hypernetworks_mlps.2.proj_in.weight",
                SamCheckpointNames.huggingFaceName("mask_decoder.output_hypernetworks_mlps.2.layers.0.weight"));
        assertEquals("mask_decoder.output_hypernetworks_mlps.2.layers.0.weight",
                SamCheckpointNames.huggingFaceName("mask_decoder.output_hypernetworks_mlps.2.layers.1.weight"));
        assertEquals("mask_decoder.iou_prediction_head.proj_out.bias",
                SamCheckpointNames.huggingFaceName("mask_decoder.iou_prediction_head.layers.2.bias"));
        assertEquals("mask_decoder.upscale_layer_norm.weight",
                SamCheckpointNames.huggingFaceName("mask_decoder.output_upscaling.1.weight"));
        assertEquals("mask_decoder.transformer.layer_norm_final_attn.weight",
                SamCheckpointNames.huggingFaceName("mask_decoder.transformer.norm_final_attn.weight"));
        assertEquals("prompt_encoder.mask_embed.layer_norm2.bias",
                SamCheckpointNames.huggingFaceName("prompt_encoder.mask_downscaling.4.bias"));
        assertEquals("prompt_encoder.point_embed.1.weight",
                SamCheckpointNames.huggingFaceName("prompt_encoder.point_embeddings.1.weight"));
        assertEquals("prompt_encoder.shared_embedding.positional_embedding",
                SamCheckpointNames.huggingFaceName("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"));

        try (SegmentationModel a = tiny(1); SegmentationModel b = tiny(2)) {
            ParameterSet.Builder hf = ParameterSet.builder();
            int renamed = 0;
            for (Tensor t : a.toParameterSet(ParameterScope.STATE).tensors()) {
                String n = SamCheckpointNames.huggingFaceName(t.name());
                renamed += n.equals(t.name()) ? 0 : 1;
                hf.add(t.renamed(n));
            }
            Tensor gaussian = a.toParameterSet(ParameterScope.STATE)
                    .get("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix");
            hf.add(gaussian.renamed(SamCheckpointNames.HF_SHARED_GAUSSIAN));
            hf.add("pixel_mean", new int[] {3, 1, 1}, new float[] {123.675f, 116.28f, 103.53f});
            LoadReport r = b.load(hf.build(), LoadMode.EXACT);
            assertEquals(renamed + 1, r.renamed());
            assertEquals(List.of(SamCheckpointNames.HF_SHARED_GAUSSIAN, "pixel_mean"), r.ignored());
            assertEquals(0.0, a.toParameterSet(ParameterScope.STATE).maxAbsDifference(b.toParameterSet(ParameterScope.STATE)));
            assertFalse(r.keptInitial().iterator().hasNext());
        }
    }
}
