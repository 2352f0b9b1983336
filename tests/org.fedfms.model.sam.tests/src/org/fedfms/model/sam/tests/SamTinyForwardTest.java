package org.fedfms.model.sam.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.fedfms.model.MaskPrediction;
import org.fedfms.model.Prompts;
import org.fedfms.model.sam.SamConfig;
import org.fedfms.model.sam.SamModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** sam-tiny's forward pass: output shapes, prompt encodings computed by hand, memory kept in the batch. */
class SamTinyForwardTest {

    private static SamModel model;

    @BeforeAll
    static void build() {
        model = (SamModel) Services.variant("sam-tiny").create();
        model.initialize(Services.runtime().newManager(Device.cpu()), 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static NDArray images(NDManager m, int batch) {
        float[] v = new float[batch * 3 * 128 * 128];
        Random r = new Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(batch, 3, 128, 128));
    }

    @Test
    void lowResolutionMasksAreFourTimesTheEmbeddingGrid() {
        assertEquals(32, model.lowResSize());
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = images(m, 2);
            MaskPrediction single = model.predict(x, Prompts.none(), false);
            assertEquals(new Shape(2, 1, 32, 32), single.masks().getShape());
            assertEquals(new Shape(2, 1), single.iou().getShape());
            MaskPrediction multi = model.predict(x, Prompts.none(), true);
            assertEquals(new Shape(2, 3, 32, 32), multi.masks().getShape());
            assertEquals(new Shape(2, 3), multi.iou().getShape());
            assertEquals(new Shape(2, 32, 8, 8), model.encodeImages(x).getShape());
            float[] a = single.masks().get("0").toFloatArray();
            float[] b = single.masks().get("1").toFloatArray();
            assertTrue(maxAbsDiff(a, b) > 1e-4, "different images give different masks");
        }
    }

    @Test
    void aForwardPassLeavesNoArraysInTheModelsManager() {
        int before = model.manager().getManagedArrays().size();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray boxes = m.create(new float[] {10, 20, 60, 90, 0, 0, 127, 127}, new Shape(2, 4));
            NDArray masks = m.zeros(new Shape(2, 1, 32, 32));
            model.predict(images(m, 2), new Prompts(null, null, boxes, masks), true);
        }
        assertEquals(before, model.manager().getManagedArrays().size());
    }

    @Test
    void eachEncoderBlockLeavesOnlyItsOutputInTheBatch() {
        int[] arrays = new int[2];
        int[] depths = {4, 8};
        for (int i = 0; i < 2; i++) {
            SamConfig t = SamConfig.TINY;
            SamConfig c = new SamConfig(t.imageSize(), t.patchSize(), t.encoderDim(), depths[i], t.encoderHeads(),
                    t.encoderMlpDim(), t.windowSize(), java.util.List.of(1, 3), t.promptDim(), t.maskInChannels(),
                    t.decoderDepth(), t.decoderHeads(), t.decoderMlpDim(), t.iouHeadDepth(), t.iouHeadHidden());
            try (SamModel m = new SamModel("depth-" + depths[i], c)) {
                m.initialize(Services.runtime().newManager(Device.cpu()), 1);
                try (NDManager batch = m.manager().newSubManager()) {
                    m.predict(images(batch, 1), Prompts.none(), false);
                    arrays[i] = batch.getManagedArrays().size();
                }
            }
        }
        assertTrue(arrays[1] - arrays[0] <= 4 * 2, "four more blocks left " + (arrays[1] - arrays[0])
                + " more arrays in the batch (" + arrays[0] + " vs " + arrays[1] + ")");
    }

    @Test
    void aPointWithoutABoxGetsAPaddingPointAndItsEmbeddingIsTheFourierFeaturePlusThePositiveEmbedding() {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray points = m.create(new float[] {40, 100}, new Shape(1, 1, 2));
            NDArray labels = m.create(new float[] {1}, new Shape(1, 1));
            SamModel.PromptEmbeddings e = model.embedPrompts(m, Prompts.ofPoints(points, labels), 1);
            assertEquals(new Shape(1, 2, 32), e.sparse().getShape());
            float[] sparse = e.sparse().toFloatArray();
            float[] expected = fourier(40.5f / 128, 100.5f / 128);
            float[] positive = tensor("prompt_encoder.point_embeddings.1.weight");
            for (int i = 0; i < 32; i++) {
                expected[i] += positive[i];
            }
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(sparse, 0, 32), 2e-5f);
            assertArrayEquals(tensor("prompt_encoder.not_a_point_embed.weight"),
                    java.util.Arrays.copyOfRange(sparse, 32, 64), 0f, "the padding point is exactly not_a_point_embed");
            float[] noMask = tensor("prompt_encoder.no_mask_embed.weight");
            float[] dense = e.dense().toFloatArray();
            assertEquals(new Shape(1, 32, 8, 8), e.dense().getShape());
            assertEquals(noMask[5], dense[5 * 64 + 17], 0f);
        }
    }

    @Test
    void aBoxIsTwoCornersWithTheirOwnEmbeddingsAndNoPadding() {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray box = m.create(new float[] {8, 16, 64, 96}, new Shape(1, 4));
            NDArray points = m.create(new float[] {30, 30}, new Shape(1, 1, 2));
            NDArray labels = m.create(new float[] {0}, new Shape(1, 1));
            SamModel.PromptEmbeddings both = model.embedPrompts(m, new Prompts(points, labels, box, null), 1);
            assertEquals(new Shape(1, 3, 32), both.sparse().getShape(), "point, then two corners; no padding point");
            float[] s = both.sparse().toFloatArray();
            float[] topLeft = fourier(8.5f / 128, 16.5f / 128);
            float[] bottomRight = fourier(64.5f / 128, 96.5f / 128);
            float[] e2 = tensor("prompt_encoder.point_embeddings.2.weight");
            float[] e3 = tensor("prompt_encoder.point_embeddings.3.weight");
            for (int i = 0; i < 32; i++) {
                assertEquals(topLeft[i] + e2[i], s[32 + i], 2e-5f);
                assertEquals(bottomRight[i] + e3[i], s[64 + i], 2e-5f);
            }
            SamModel.PromptEmbeddings none = model.embedPrompts(m, Prompts.none(), 1);
            assertNull(none.sparse());
        }
    }

    @Test
    void promptsChangeTheMasksAndWrongShapesAreRejected() {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = images(m, 1);
            float[] free = model.predict(x, Prompts.none(), false).masks().toFloatArray();
            NDArray box = m.create(new float[] {8, 16, 64, 96}, new Shape(1, 4));
            float[] boxed = model.predict(x, Prompts.ofBoxes(box), false).masks().toFloatArray();
            assertTrue(maxAbsDiff(free, boxed) > 1e-4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.predict(x, Prompts.ofBoxes(m.zeros(new Shape(2, 4))), false));
            assertTrue(e.getMessage().contains("boxes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.predict(m.zeros(new Shape(1, 3, 64, 64)),
                    Prompts.none(), false));
        }
    }

    @Test
    void preprocessingNormalisesThenPadsWithZeros() {
        float[] rgb = new float[2 * 3 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = 100 + i;
        }
        float[] x = model.preprocess(rgb, 2, 3);
        assertEquals(3 * 128 * 128, x.length);
        assertEquals((100 - 123.675f) / 58.395f, x[0], 1e-6f);
        assertEquals((101 - 116.28f) / 57.12f, x[128 * 128], 1e-6f);
        assertEquals((100 + 3 * 4 + 2 - 103.53f) / 57.375f, x[2 * 128 * 128 + 128 + 1], 1e-6f);
        assertEquals(0f, x[3], 0f, "padding after normalisation is zero");
        assertEquals(0f, x[2 * 128], 0f);
        assertThrows(IllegalArgumentException.class, () -> model.preprocess(new float[129 * 3], 1, 129));
    }

    /** SAM's random Fourier features of a point in [0, 1]², from the model's Gaussian matrix. */
    private static float[] fourier(float x, float y) {
        float[] g = tensor("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix");
        float[] out = new float[32];
        for (int j = 0; j < 16; j++) {
            double c = (2 * x - 1) * g[j] + (2 * y - 1) * g[16 + j];
            c *= 2 * Math.PI;
            out[j] = (float) Math.sin(c);
            out[16 + j] = (float) Math.cos(c);
        }
        return out;
    }

    private static float[] tensor(String name) {
        return model.tensors().get(name).array().toFloatArray();
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
