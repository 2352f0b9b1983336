package org.fedfms.djl;

import java.util.List;

import org.fedfms.api.train.DeviceSpec;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

/**
 * DJL's PyTorch engine, started once inside OSGi in offline mode: the one way FedFMS bundles reach
 * DJL. An OSGi service; get it before touching any other DJL class, so that DJL's engine discovery
 * runs with the right class loader.
 */
public interface TorchRuntime {

    /**
     * The started PyTorch engine.
     *
     * @throws IllegalStateException saying why the engine could not start (native library, cache
     *     directory, ...)
     */
    Engine engine();

    /** A new collector of gradients on the started engine (close it to end the recording). */
    default GradientCollector newGradientCollector() {
        return engine().newGradientCollector();
    }

    /**
     * The device for a choice: {@code auto} takes GPU 0 when the engine sees a CUDA device, else the
     * CPU; {@code gpu:N} fails when GPU N is not there.
     *
     * @throws IllegalArgumentException when the text is not a device or the GPU is not present
     */
    Device device(DeviceSpec spec);

    /** {@link #device(DeviceSpec)} of {@link DeviceSpec#parse(String)}. */
    default Device device(String spec) {
        return device(DeviceSpec.parse(spec));
    }

    /** Number of CUDA devices the engine can use (0 on a CPU-only build or machine). */
    int gpuCount();

    /** The devices that can be chosen now, e.g. {@code [cpu, gpu:0]}. */
    List<String> availableDevices();

    /** A new root manager of native memory on {@code device}; close it to free its arrays. */
    NDManager newManager(Device device);

    /**
     * Stops recording operations for autograd on the calling thread until the scope is closed: for
     * evaluation and inference of models whose parameters require gradients.
     */
    GradientScope noGradients();

    /**
     * The gradient accumulated in {@code parameter} by backward passes, or {@code null} when no
     * backward pass has reached it (unlike {@code NDArray.getGradient()}, which then makes zeros).
     * The result belongs to the parameter's manager; close it after use.
     */
    NDArray gradientOrNull(NDArray parameter);

    /**
     * Sets the accumulated gradients of {@code parameters} to zero in place (those that have one),
     * as an optimizer does after its update.
     */
    void zeroGradients(Iterable<NDArray> parameters);

    /** A scope of {@link #noGradients()}; closing it restores the previous recording mode. */
    interface GradientScope extends AutoCloseable {
        @Override
        void close();
    }

    /** What runs: engine name and version, library flavour, threads, cache directory. */
    String describe();
}
