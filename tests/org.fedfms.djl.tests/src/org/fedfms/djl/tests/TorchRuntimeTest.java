package org.fedfms.djl.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.api.train.DeviceSpec;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;

/** DJL's PyTorch engine started inside OSGi by org.fedfms.djl, and the device choice. */
class TorchRuntimeTest extends OnTorchRuntime {

    @Test
    void pytorchEngineStartsOfflineInsideOsgi() {
        Engine engine = runtime.engine();
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.7.1", engine.getVersion());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertTrue(runtime.describe().contains("PyTorch 2.7.1"), runtime.describe());
    }

    @Test
    void computesAndDifferentiatesOnTheCpu() {
        try (NDManager m = runtime.newManager(runtime.device("cpu"))) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = m.create(new float[] {5, 6, 7, 8}, new Shape(2, 2));
            assertArrayEquals(new float[] {19, 22, 43, 50}, a.matMul(b).toFloatArray());
            a.setRequiresGradient(true);
            try (GradientCollector gc = runtime.engine().newGradientCollector()) {
                gc.backward(a.mul(a).sum());
            }
            assertArrayEquals(new float[] {2, 4, 6, 8}, a.getGradient().toFloatArray());
        }
    }

    @Test
    void geluIsTheExactErfForm() {
        try (NDManager m = runtime.newManager(Device.cpu())) {
            float[] y = Activation.gelu(m.create(new float[] {1f, -0.5f})).toFloatArray();
            // x * Phi(x): 0.8413447 and -0.1542687; the tanh approximation gives 0.8411920 and -0.1542859
            assertEquals(0.8413447f, y[0], 2e-7f);
            assertEquals(-0.15426877f, y[1], 2e-7f);
        }
    }

    @Test
    void autoIsTheCpuWithoutGpuAndAMissingGpuIsAClearError() {
        assertEquals(0, runtime.gpuCount(), "this test expects a machine without CUDA");
        assertEquals(Device.cpu(), runtime.device("auto"));
        assertEquals(java.util.List.of("cpu"), runtime.availableDevices());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runtime.device("gpu:0"));
        assertTrue(e.getMessage().contains("gpu:0") && e.getMessage().contains("no CUDA GPU"), e.getMessage());
    }

    @Test
    void deviceTextIsParsedOrRejected() {
        assertEquals(new DeviceSpec(DeviceSpec.Kind.GPU, 3), DeviceSpec.parse("gpu:3"));
        assertEquals(new DeviceSpec(DeviceSpec.Kind.GPU, 0), DeviceSpec.parse("GPU"));
        assertEquals(new DeviceSpec(DeviceSpec.Kind.CPU, -1), DeviceSpec.parse(" cpu "));
        assertEquals("auto", DeviceSpec.parse("auto").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("tpu:1"));
        assertTrue(e.getMessage().contains("'tpu:1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("gpu:-1"));
    }
}
