package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.nn.Ops;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The ConvTranspose2d(k=2, s=2) equivalent against the definition, computed directly on small numbers. */
class ConvTransposeTest {

    static TorchRuntime runtime() throws InterruptedException {
        BundleContext c = FrameworkUtil.getBundle(ConvTransposeTest.class).getBundleContext();
        ServiceTracker<TorchRuntime, TorchRuntime> t = new ServiceTracker<>(c, TorchRuntime.class, null);
        t.open();
        TorchRuntime r = t.waitForService(30_000);
        assertNotNull(r);
        return r;
    }

    @Test
    void matchesTheTransposedConvolutionsDefinition() throws Exception {
        int b = 2;
        int h = 2;
        int w = 3;
        int cin = 3;
        int cout = 2;
        Random r = new Random(1);
        float[] x = new float[b * h * w * cin];
        float[] weight = new float[cin * cout * 4];
        float[] bias = {0.25f, -1.5f};
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(7) - 3;
        }
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (r.nextInt(9) - 4) * 0.5f;
        }
        float[] out;
        try (NDManager m = runtime().newManager(Device.cpu())) {
            NDArray y = Ops.convTranspose2x2(m.create(x, new Shape(b, h, w, cin)),
                    m.create(weight, new Shape(cin, cout, 2, 2)), m.create(bias));
            assertEquals(new Shape(b, 2 * h, 2 * w, cout), y.getShape());
            out = y.toFloatArray();
        }
        // out[n, o, 2i+di, 2j+dj] = bias[o] + sum_c x[n, c, i, j] * weight[c, o, di, dj]  (channels last here)
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    for (int di = 0; di < 2; di++) {
                        for (int dj = 0; dj < 2; dj++) {
                            for (int o = 0; o < cout; o++) {
                                float expected = bias[o];
                                for (int c = 0; c < cin; c++) {
                                    expected += x[((n * h + i) * w + j) * cin + c] * weight[((c * cout + o) * 2 + di) * 2 + dj];
                                }
                                int y = 2 * i + di;
                                int xx = 2 * j + dj;
                                assertEquals(expected, out[((n * 2 * h + y) * 2 * w + xx) * cout + o], 0f,
                                        "at n=" + n + " y=" + y + " x=" + xx + " o=" + o);
                            }
                        }
                    }
                }
            }
        }
    }
}
