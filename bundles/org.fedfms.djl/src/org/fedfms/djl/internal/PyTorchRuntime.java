package org.fedfms.djl.internal;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.train.DeviceSpec;
import org.fedfms.djl.TorchRuntime;
import org.osgi.service.component.annotations.Component;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;

/**
 * Starts DJL's PyTorch engine on first use (so that the framework starts fast). DJL finds its engines
 * through the thread context class loader (a service loader in a static initialiser, run once per JVM)
 * and the native library through the same loader, so both happen with the context class loader set to
 * this bundle's loader, which sees the DJL api, engine, JNI and native jars on its class path. Offline
 * mode is forced unless set otherwise. Before libtorch loads, {@link MklVendorShim} lets its MKL choose
 * its kernels by the CPU's features on CPUs not made by Intel and {@link OpenMp} chooses how long idle OpenMP
 * threads spin; after, {@link NnpackSwitch} turns NNPACK off and {@link OpenMp} finds libtorch's OpenMP library.
 */
@Component
public class PyTorchRuntime implements TorchRuntime {

    private static final String ENGINE_NAME = "PyTorch";

    private Engine engine;
    private RuntimeException failure;

    private synchronized Engine start() {
        if (engine != null) {
            return engine;
        }
        if (failure != null) {
            throw failure;
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            thread.setContextClassLoader(Engine.class.getClassLoader());
            MklVendorShim.install();
            OpenMp.spinBrieflyUnlessChosen();
            engine = Engine.getEngine(ENGINE_NAME);
            NnpackSwitch.turnOff();
            OpenMp.attach();
            return engine;
        } catch (RuntimeException | LinkageError e) {
            failure = new IllegalStateException("the PyTorch engine of DJL did not start: " + message(e)
                    + " (native library cache: " + Utils.getEngineCacheDir(ENGINE_NAME.toLowerCase())
                    + ", PYTORCH_LIBRARY_PATH=" + Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH")
                    + ", PYTORCH_FLAVOR=" + Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR") + ")", e);
            throw failure;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static String message(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    @Override
    public Engine engine() {
        return start();
    }

    @Override
    public Device device(DeviceSpec spec) {
        Engine e = engine();
        int gpus = e.getGpuCount();
        return switch (spec.kind()) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu(0) : Device.cpu();
            case GPU -> {
                if (spec.gpuIndex() >= gpus) {
                    throw new IllegalArgumentException("device " + spec + " is not available: "
                            + (gpus == 0 ? "the " + ENGINE_NAME + " engine sees no CUDA GPU (library "
                                    + e.getVersion() + ", " + flavour() + "); use cpu, or see docs/gpu.md"
                                    : "the engine sees " + gpus + " GPU(s), gpu:0 to gpu:" + (gpus - 1)));
                }
                yield Device.gpu(spec.gpuIndex());
            }
        };
    }

    @Override
    public int gpuCount() {
        return engine().getGpuCount();
    }

    @Override
    public List<String> availableDevices() {
        List<String> list = new ArrayList<>();
        list.add("cpu");
        for (int i = 0; i < gpuCount(); i++) {
            list.add("gpu:" + i);
        }
        return list;
    }

    @Override
    public NDManager newManager(Device device) {
        return engine().newBaseManager(device);
    }

    @Override
    public GradientScope noGradients() {
        engine();
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(previous);
    }

    @Override
    public NDArray gradientOrNull(NDArray parameter) {
        return JniUtils.getGradient((PtNDArray) parameter);
    }

    @Override
    public void zeroGradients(Iterable<NDArray> parameters) {
        for (NDArray p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    @Override
    public String describe() {
        Engine e = engine();
        return e.getEngineName() + " " + e.getVersion() + " (" + flavour() + "), DJL " + Engine.getDjlVersion()
                + ", devices " + availableDevices() + ", threads "
                + System.getProperty("ai.djl.pytorch.num_threads", "default") + "/"
                + System.getProperty("ai.djl.pytorch.num_interop_threads", "default") + " (intra/inter-op)"
                + ", cache " + Utils.getEngineCacheDir(ENGINE_NAME.toLowerCase());
    }

    private static String flavour() {
        String f = Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR");
        return f == null || f.isEmpty() ? "cpu" : f;
    }
}
