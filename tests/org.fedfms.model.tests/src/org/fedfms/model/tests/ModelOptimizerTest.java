package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.AdaptableBlock;
import org.fedfms.model.MaskPrediction;
import org.fedfms.model.ModelOptimizer;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.Initializer;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Module;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

/** The optimizer's Adam steps against Adam's formulas, computed by hand. */
class ModelOptimizerTest {

    /** A model of two parameters, {@code a.w} (trains) and {@code b.w} (frozen), each filled with 1. */
    static final class TwoParameters extends SegmentationModel {
        final Part a = child("a", new Part(3));
        final Part b = child("b", new Part(2));

        TwoParameters() {
            super("two-parameters");
        }

        static final class Part extends Module {
            final ModelParameter w;

            Part(int n) {
                w = parameter("w", Initializer.ones(), n);
            }
        }

        @Override
        public int inputSize() {
            return 1;
        }

        @Override
        public int lowResSize() {
            return 1;
        }

        @Override
        public List<AdaptableBlock> adaptableBlocks() {
            return List.of();
        }

        @Override
        public MaskPrediction predict(NDArray images, Prompts prompts, boolean multimask) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] preprocess(float[] rgb, int height, int width) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void twoStepsFollowAdamAndGradientsAreZeroedAfterwards() throws Exception {
        TorchRuntime runtime = ConvTransposeTest.runtime();
        float[] c = {2f, -0.5f, 0f};
        try (TwoParameters model = new TwoParameters()) {
            model.setTrainable(n -> n.startsWith("a."));
            model.initialize(runtime.newManager(Device.cpu()), 0);
            ModelOptimizer adam = ModelOptimizer.adam(runtime, 0.1f);
            double[] w = {1, 1, 1};
            double[] m1 = new double[3];
            double[] m2 = new double[3];
            for (int step = 1; step <= 2; step++) {
                try (NDManager batch = model.manager().newSubManager();
                        GradientCollector gc = runtime.engine().newGradientCollector()) {
                    NDArray k = batch.create(c);
                    gc.backward(k.mul(model.a.w.array()).sum().add(k.mul(step).mul(model.a.w.array()).sum()));
                }
                adam.step(model);
                for (int i = 0; i < 3; i++) {
                    double g = c[i] * (1 + step);
                    m1[i] = 0.9 * m1[i] + 0.1 * g;
                    m2[i] = 0.999 * m2[i] + 0.001 * g * g;
                    double rate = 0.1 * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step));
                    w[i] -= rate * m1[i] / (Math.sqrt(m2[i]) + 1e-8);
                }
                float[] got = model.a.w.array().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(w[i], got[i], 1e-6, "a.w[" + i + "] after step " + step);
                }
                assertArrayEquals(new float[3], model.a.w.array().getGradient().toFloatArray(), 0f, "gradient zeroed");
            }
            assertArrayEquals(new float[] {1f, 1f}, model.b.w.array().toFloatArray(), 0f, "frozen");
            assertEquals(2, adam.steps());
            assertEquals(null, runtime.gradientOrNull(model.b.w.array()), "frozen parameters have no gradient");
        }
    }

    @Test
    void parametersNoBackwardPassReachedAreLeftAlone() throws Exception {
        TorchRuntime runtime = ConvTransposeTest.runtime();
        try (TwoParameters model = new TwoParameters()) {
            model.initialize(runtime.newManager(Device.cpu()), 0);
            ModelOptimizer adam = ModelOptimizer.adam(runtime, 0.1f);
            try (NDManager batch = model.manager().newSubManager();
                    GradientCollector gc = runtime.engine().newGradientCollector()) {
                gc.backward(model.a.w.array().sum());
            }
            assertEquals(null, runtime.gradientOrNull(model.b.w.array()));
            adam.step(model);
            assertArrayEquals(new float[] {1f, 1f}, model.b.w.array().toFloatArray(), 0f);
            float[] a = model.a.w.array().toFloatArray();
            assertEquals(0.9f, a[0], 1e-6f);
        }
    }
}
