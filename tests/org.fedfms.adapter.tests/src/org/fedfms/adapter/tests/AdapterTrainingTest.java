package org.fedfms.adapter.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.MaskPrediction;
import org.fedfms.model.ModelOptimizer;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/** A few training steps of sam-tiny with each adapter type: frozen tensors stay bitwise unchanged. */
class AdapterTrainingTest {

    private final TorchRuntime runtime = Services.runtime();

    private SegmentationModel tiny(String adapter, long seed) {
        SegmentationModel m = Services.variant("sam-tiny").create();
        if (adapter != null) {
            Services.adapter(adapter).apply(m, Map.of());
        }
        m.initialize(runtime.newManager(Device.cpu()), seed);
        return m;
    }

    /** Trains {@code steps} Adam steps on random images and masks (BCE on the masks, MSE on the IoU). */
    private void train(SegmentationModel m, int steps) {
        ModelOptimizer optimizer = ModelOptimizer.adam(runtime, 1e-2f);
        Random r = new Random(11);
        for (int s = 0; s < steps; s++) {
            try (NDManager batch = m.manager().newSubManager()) {
                NDArray images = batch.create(gaussian(r, 2 * 3 * 128 * 128), new Shape(2, 3, 128, 128));
                float[] t = new float[2 * 32 * 32];
                for (int i = 0; i < t.length; i++) {
                    t[i] = (i / 32) % 32 < 16 ? 1 : 0;
                }
                NDArray target = batch.create(t, new Shape(2, 1, 32, 32));
                try (GradientCollector gc = runtime.engine().newGradientCollector()) {
                    MaskPrediction p = m.predict(images, Prompts.none(), false);
                    NDArray x = p.masks();
                    NDArray bce = x.maximum(x.zerosLike()).sub(x.mul(target)).add(x.abs().neg().exp().add(1).log()).mean();
                    NDArray loss = bce.add(p.iou().sub(0.5).square().mean());
                    gc.backward(loss);
                }
                optimizer.step(m);
            }
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Names of the tensors whose values changed, and checks that every frozen tensor is bitwise unchanged. */
    private static List<String> changed(SegmentationModel m, ParameterSet before) {
        ParameterSet after = m.toParameterSet(ParameterScope.STATE);
        List<String> changed = new ArrayList<>();
        for (Tensor t : before.tensors()) {
            boolean same = Arrays.equals(t.values(), after.get(t.name()).values());
            boolean trainable = m.tensors().get(t.name()).isTrainable();
            if (!trainable) {
                assertTrue(same, "frozen tensor " + t.name() + " changed");
            }
            if (!same) {
                changed.add(t.name());
            }
        }
        return changed;
    }

    @Test
    void msaTrainsAdaptersAndDecoderAndLeavesTheRestBitwiseUnchanged() {
        try (SegmentationModel m = tiny("msa", 1)) {
            ParameterSet before = m.toParameterSet(ParameterScope.STATE);
            train(m, 3);
            List<String> changed = changed(m, before);
            for (String n : m.tensors().keySet()) {
                if (n.contains("_Adapter.")) {
                    assertTrue(changed.contains(n), n + " did not train");
                }
            }
            assertTrue(changed.contains("mask_decoder.transformer.layers.0.self_attn.q_proj.weight"), changed.toString());
            assertTrue(changed.contains("mask_decoder.output_upscaling.0.weight"), changed.toString());
            assertTrue(changed.contains("mask_decoder.iou_prediction_head.layers.2.bias"), changed.toString());
            assertTrue(changed.stream().allMatch(n -> n.contains("_Adapter.") || n.startsWith("mask_decoder.")),
                    changed.toString());
            assertEquals(m.trainableParameterCount(), m.toParameterSet(ParameterScope.TRAINABLE).parameterCount());
        }
    }

    @Test
    void loraStartsAsTheBaseModelThenTrainsOnlyItsUpdatesAndTheDecoder() {
        float[] base;
        float[] adapted;
        try (SegmentationModel plain = tiny(null, 5); SegmentationModel lora = tiny("lora", 5)) {
            base = predictOnce(plain);
            adapted = predictOnce(lora);
            assertArrayEquals(base, adapted, 0f, "lora_B starts at zero: the adapted model equals the base model");
            ParameterSet before = lora.toParameterSet(ParameterScope.STATE);
            train(lora, 2);
            List<String> changed = changed(lora, before);
            assertTrue(changed.contains("image_encoder.blocks.0.attn.qkv.lora_B"), changed.toString());
            assertTrue(changed.stream().allMatch(n -> n.contains(".lora_") || n.startsWith("mask_decoder.")),
                    changed.toString());
        }
    }

    @Test
    void decoderOnlyTrainingKeepsBothEncodersAndFullTrainingChangesTheEncoder() {
        try (SegmentationModel m = tiny("decoder", 2)) {
            ParameterSet before = m.toParameterSet(ParameterScope.STATE);
            train(m, 2);
            List<String> changed = changed(m, before);
            assertFalse(changed.isEmpty());
            assertTrue(changed.stream().allMatch(n -> n.startsWith("mask_decoder.")), changed.toString());
        }
        try (SegmentationModel m = tiny("full", 2)) {
            ParameterSet before = m.toParameterSet(ParameterScope.STATE);
            train(m, 2);
            List<String> changed = changed(m, before);
            assertTrue(changed.contains("image_encoder.blocks.0.attn.qkv.weight"), changed.toString());
            assertTrue(changed.contains("image_encoder.blocks.1.attn.rel_pos_h"), changed.toString());
            assertFalse(changed.contains("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"),
                    "buffers never train");
        }
    }

    private static float[] predictOnce(SegmentationModel m) {
        try (NDManager batch = m.manager().newSubManager()) {
            NDArray images = batch.create(gaussian(new Random(4), 3 * 128 * 128), new Shape(1, 3, 128, 128));
            return m.predict(images, Prompts.none(), true).masks().toFloatArray();
        }
    }
}
