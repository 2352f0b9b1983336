package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.AdapterType;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Gradients do not depend on when the garbage collector runs. DJL's number overloads ({@code mul(2f)})
 * give PyTorch a scalar backed by a Java direct buffer and close it at once while autograd keeps it for
 * the backward pass; a collection between forward and backward then frees it and the gradients read freed
 * memory. These tests collect garbage and refill freed memory with NaN between forward and backward.
 */
class GradientLifetimeTest {

    private final TorchRuntime runtime = TestEnv.service(TorchRuntime.class, null);

    /** Collects garbage, lets the cleaners free direct buffers, and reuses that memory filled with NaN. */
    private static List<ByteBuffer> collectAndPoison() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 + 4 * (i % 8)).order(ByteOrder.nativeOrder());
            for (int j = 0; j + 4 <= b.capacity(); j += 4) {
                b.putFloat(j, Float.NaN);
            }
            junk.add(b);
        }
        return junk;
    }

    @Test
    void scaleAndDivideKeepTheirConstantsForTheBackwardPass() throws Exception {
        for (int trial = 0; trial < 5; trial++) {
            try (NDManager m = runtime.newManager(Device.cpu())) {
                NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(4));
                x.setRequiresGradient(true);
                List<ByteBuffer> junk;
                try (GradientCollector gc = runtime.engine().newGradientCollector()) {
                    NDArray y = Ops.scale(x, 3).add(Ops.divide(x, 4)).sum();
                    junk = collectAndPoison();
                    gc.backward(y);
                }
                assertArrayEquals(new float[] {3.25f, 3.25f, 3.25f, 3.25f}, x.getGradient().toFloatArray(), 0f,
                        "trial " + trial + " (" + junk.size() + " buffers reused)");
            }
        }
    }

    /** The gradients of every trainable tensor of sam-tiny with an adapter type after one backward pass. */
    private Map<String, float[]> gradients(String adapter, boolean poison) throws Exception {
        SegmentationModel model = TestEnv.service(ModelVariant.class, "(id=sam-tiny)").create();
        TestEnv.service(AdapterType.class, "(id=" + adapter + ")").apply(model, Map.of());
        model.initialize(runtime.newManager(Device.cpu()), 3);
        try (model; NDManager batch = model.manager().newSubManager()) {
            Random r = new Random(5);
            float[] px = new float[2 * 3 * 128 * 128];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) r.nextGaussian();
            }
            NDArray images = batch.create(px, new Shape(2, 3, 128, 128));
            try (GradientCollector gc = runtime.engine().newGradientCollector()) {
                NDArray logits = model.predict(images, Prompts.none(), false).masks();
                NDArray loss = logits.neg().exp().add(1f).log().mean();
                if (poison) {
                    collectAndPoison();
                }
                gc.backward(loss);
            }
            Map<String, float[]> g = new LinkedHashMap<>();
            for (ModelParameter p : model.trainableParameters()) {
                try (NDArray grad = p.array().getGradient()) {
                    g.put(p.name(), grad.toFloatArray());
                }
            }
            return g;
        }
    }

    /** msa: attention and adapter scaling; full: also the relative-position tables (a one-hot product). */
    @ParameterizedTest
    @ValueSource(strings = {"msa", "full"})
    void samTinyGradientsAreTheSameWhenGarbageIsCollectedBeforeTheBackwardPass(String adapter) throws Exception {
        Map<String, float[]> quiet = gradients(adapter, false);
        Map<String, float[]> collected = gradients(adapter, true);
        assertEquals(quiet.keySet(), collected.keySet());
        int nonZero = 0;
        for (Map.Entry<String, float[]> e : quiet.entrySet()) {
            float[] a = e.getValue();
            float[] b = collected.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                assertTrue(Float.isFinite(b[i]), e.getKey() + "[" + i + "] = " + b[i]);
                nonZero += a[i] != 0 ? 1 : 0;
            }
            assertArrayEquals(a, b, 0f, e.getKey());
        }
        assertTrue(nonZero > 1000, "only " + nonZero + " non-zero gradient values");
    }
}
