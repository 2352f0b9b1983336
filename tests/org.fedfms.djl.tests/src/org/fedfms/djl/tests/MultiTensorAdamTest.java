package org.fedfms.djl.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.fedfms.djl.MultiTensorAdam;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/** The multi-tensor Adam/AdamW step against torch.optim.Adam's and AdamW's formulas, computed here in double. */
class MultiTensorAdamTest extends OnTorchRuntime {

    @Test
    void adamFollowsTorchOptimAdamWithL2DecayAndZeroesTheGradients() {
        threeSteps(false);
    }

    @Test
    void adamwDecaysTheWeightsBeforeTheUpdate() {
        threeSteps(true);
    }

    private void threeSteps(boolean decoupled) {
        float lr = 0.05f;
        float wd = 0.1f;
        float[] c = {2f, -0.5f, 0f, 3f, 1e-3f};
        float[] start = {1f, -2f, 0.5f, 4f, -1f};
        try (NDManager m = runtime.newManager(Device.cpu())) {
            // two weights of different shapes: [2, 2] and [1], from one array of five values
            NDArray a = m.create(new float[] {start[0], start[1], start[2], start[3]}, new Shape(2, 2));
            NDArray b = m.create(new float[] {start[4]}, new Shape(1));
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            NDArray ca = m.create(new float[] {c[0], c[1], c[2], c[3]}, new Shape(2, 2));
            NDArray cb = m.create(new float[] {c[4]}, new Shape(1));
            List<NDArray> means = List.of(a.zerosLike(), b.zerosLike());
            List<NDArray> variances = List.of(a.zerosLike(), b.zerosLike());
            List<NDArray> steps = List.of(m.zeros(new Shape()), m.zeros(new Shape()));
            double[] w = new double[5];
            double[] m1 = new double[5];
            double[] m2 = new double[5];
            for (int i = 0; i < 5; i++) {
                w[i] = start[i];
            }
            for (int step = 1; step <= 3; step++) {
                try (NDManager batch = m.newSubManager(); GradientCollector gc = runtime.newGradientCollector()) {
                    NDArray k = batch.full(new Shape(), step);
                    gc.backward(ca.mul(a).sum().add(cb.mul(b).sum()).mul(k));
                }
                NDArray ga = a.getGradient();
                NDArray gb = b.getGradient();
                MultiTensorAdam.update(List.of(a, b), List.of(ga, gb), means, variances, steps, lr, 0.9f, 0.999f, 1e-8f,
                        wd, decoupled);
                for (int i = 0; i < 5; i++) {
                    double g = (double) c[i] * step;
                    if (decoupled) {
                        w[i] *= 1 - (double) lr * wd;
                    } else {
                        g += wd * w[i];
                    }
                    m1[i] = 0.9 * m1[i] + 0.1 * g;
                    m2[i] = 0.999 * m2[i] + 0.001 * g * g;
                    double corrected1 = 1 - Math.pow(0.9, step);
                    double corrected2 = 1 - Math.pow(0.999, step);
                    w[i] -= lr / corrected1 * m1[i] / (Math.sqrt(m2[i]) / Math.sqrt(corrected2) + 1e-8);
                }
                float[] got = concat(a.toFloatArray(), b.toFloatArray());
                for (int i = 0; i < 5; i++) {
                    assertEquals(w[i], got[i], 2e-6, "weight " + i + " after step " + step);
                }
                assertArrayEquals(new float[4], ga.toFloatArray(), 0f, "gradient of a zeroed");
                assertArrayEquals(new float[1], gb.toFloatArray(), 0f, "gradient of b zeroed");
                assertEquals(step, steps.get(0).getFloat(), "steps counted");
                ga.close();
                gb.close();
            }
        }
    }

    @Test
    void listsOfDifferentLengthsAreRefusedAndNoListIsNothingToDo() {
        try (NDManager m = runtime.newManager(Device.cpu())) {
            NDArray a = m.ones(new Shape(3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MultiTensorAdam.update(List.of(a), List.of(), List.of(a), List.of(a), List.of(a), 0.1f,
                            0.9f, 0.999f, 1e-8f, 0f, false));
            assertTrue(e.getMessage().contains("1 weights, 0 gradients"), e.getMessage());
            MultiTensorAdam.update(List.of(), List.of(), List.of(), List.of(), List.of(), 0.1f, 0.9f, 0.999f, 1e-8f,
                    0f, false);
            assertArrayEquals(new float[] {1, 1, 1}, a.toFloatArray(), 0f);
        }
    }

    @Test
    void stepsRunInParallelThreadsEqualTheSameStepsRunAlone() throws Exception {
        int threads = 4;
        float[][] alone = new float[threads][];
        for (int t = 0; t < threads; t++) {
            alone[t] = tenSteps(t);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[]>> parallel = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                parallel.add(pool.submit(() -> tenSteps(seed)));
            }
            for (int t = 0; t < threads; t++) {
                assertArrayEquals(alone[t], parallel.get(t).get(), 0f, "weights of thread " + t);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Small weights are stepped on the calling thread alone and large ones with all its threads: a step over both
     * kinds equals, bit for bit, each weight stepped by itself.
     */
    @Test
    void smallAndLargeWeightsStepAsEachWouldAlone() {
        Random random = new Random(7);
        int[] sizes = {10, 32767, 32768, 100_000};
        try (NDManager m = runtime.newManager(Device.cpu())) {
            float[][] start = new float[sizes.length][];
            float[][][] gradients = new float[3][sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                start[i] = values(random, sizes[i]);
                for (int step = 0; step < 3; step++) {
                    gradients[step][i] = values(random, sizes[i]);
                }
            }
            List<NDArray> together = new ArrayList<>();
            List<NDArray[]> togetherState = new ArrayList<>();
            for (float[] s : start) {
                together.add(m.create(s));
                togetherState.add(new NDArray[] {m.zeros(new Shape(s.length)), m.zeros(new Shape(s.length)),
                    m.zeros(new Shape())});
            }
            List<NDArray[]> alone = new ArrayList<>();
            for (float[] s : start) {
                alone.add(new NDArray[] {m.create(s), m.zeros(new Shape(s.length)), m.zeros(new Shape(s.length)),
                    m.zeros(new Shape())});
            }
            for (int step = 0; step < 3; step++) {
                List<NDArray> g = new ArrayList<>();
                for (float[] v : gradients[step]) {
                    g.add(m.create(v));
                }
                MultiTensorAdam.update(together, g, togetherState.stream().map(a -> a[0]).toList(),
                        togetherState.stream().map(a -> a[1]).toList(), togetherState.stream().map(a -> a[2]).toList(),
                        1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false);
                for (int i = 0; i < sizes.length; i++) {
                    NDArray[] a = alone.get(i);
                    MultiTensorAdam.update(List.of(a[0]), List.of(m.create(gradients[step][i])), List.of(a[1]),
                            List.of(a[2]), List.of(a[3]), 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false);
                }
            }
            for (int i = 0; i < sizes.length; i++) {
                float[] got = together.get(i).toFloatArray();
                assertArrayEquals(alone.get(i)[0].toFloatArray(), got, 0f, "weight of " + sizes[i] + " elements");
                assertTrue(got[0] != start[i][0], "weight of " + sizes[i] + " elements was stepped");
            }
        }
    }

    /** Ten AdamW steps over 24 weights of varied shapes, with gradients drawn from {@code seed}; the weights after. */
    private static float[] tenSteps(int seed) {
        Random random = new Random(seed);
        try (NDManager m = runtime.newManager(Device.cpu())) {
            List<NDArray> weights = new ArrayList<>();
            List<NDArray> means = new ArrayList<>();
            List<NDArray> variances = new ArrayList<>();
            List<NDArray> steps = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                NDArray w = m.create(values(random, 1 + random.nextInt(3000)));
                weights.add(w);
                means.add(w.zerosLike());
                variances.add(w.zerosLike());
                steps.add(m.zeros(new Shape()));
            }
            for (int step = 0; step < 10; step++) {
                List<NDArray> gradients = new ArrayList<>();
                for (NDArray w : weights) {
                    gradients.add(m.create(values(random, (int) w.size())));
                }
                MultiTensorAdam.update(weights, gradients, means, variances, steps, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f,
                        true);
                gradients.forEach(NDArray::close);
            }
            float[] all = new float[0];
            for (NDArray w : weights) {
                all = concat(all, w.toFloatArray());
            }
            return all;
        }
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] concat(float[] x, float[] y) {
        float[] r = new float[x.length + y.length];
        System.arraycopy(x, 0, r, 0, x.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
