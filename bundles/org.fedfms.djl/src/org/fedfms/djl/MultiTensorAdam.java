package org.fedfms.djl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.fedfms.djl.internal.OpenMp;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;

/**
 * One Adam or AdamW step over many weights in a single libtorch call: PyTorch's multi-tensor kernel
 * {@code torch._fused_adam_} (what {@code torch.optim.Adam(fused=True)} runs), reached through a small TorchScript
 * module ({@code torchscript/fused_adam.pt}, written by {@code make_fused_adam.py} next to it). The update is
 * {@code torch.optim.Adam}'s (ε added after the bias correction of the second moment; L2 weight decay added to the
 * gradient) or {@code AdamW}'s (decoupled decay {@code w·(1 − lr·wd)} first); each weight has its own step count.
 * <p>
 * Against the engine's per-weight update (DJL's {@code adamUpdate}: a dozen libtorch operations per weight, four of them
 * allocating full-size temporaries, one of them a VML {@code sqrt} that costs tens of microseconds on small
 * tensors), this reads and writes each element once: a step over sam-tiny's 201 weights takes about a third of the CPU
 * time, over the ViT-B image encoder's 177 weights about a tenth. Weights under {@value #SHARED_SIZE} elements are
 * stepped in a call of their own on the calling thread alone ({@link OpenMp#aloneOnCallingThread}); the update of
 * each element is the same whichever thread computes it.
 */
public final class MultiTensorAdam {

    private static final String MODULE = "/torchscript/fused_adam.pt";
    /**
     * Weights of fewer elements are stepped on the calling thread alone: libtorch's fused kernel opens a parallel
     * region for each weight, whatever its size, and below libtorch's own grain size for elementwise work
     * ({@code at::internal::GRAIN_SIZE}) waking a second thread costs more than it shares.
     */
    static final long SHARED_SIZE = 32768;
    private static PtSymbolBlock module;

    private MultiTensorAdam() {
    }

    /**
     * Updates every weight, its moments and its step count in place from its gradient, then zeroes the gradients.
     * All lists have one entry per weight, in the same order; {@code steps} holds 0-d float arrays (0 before the
     * first step), {@code means} and {@code variances} arrays shaped like their weights (zeros before the first
     * step).
     *
     * @param decoupled AdamW's decoupled weight decay instead of Adam's L2 term
     * @throws IllegalArgumentException if the lists differ in length
     */
    public static void update(List<NDArray> weights, List<NDArray> gradients, List<NDArray> means,
            List<NDArray> variances, List<NDArray> steps, float learningRate, float beta1, float beta2,
            float epsilon, float weightDecay, boolean decoupled) {
        int n = weights.size();
        if (gradients.size() != n || means.size() != n || variances.size() != n || steps.size() != n) {
            throw new IllegalArgumentException("Adam needs one gradient, mean, variance and step per weight: got "
                    + n + " weights, " + gradients.size() + " gradients, " + means.size() + " means, "
                    + variances.size() + " variances, " + steps.size() + " steps");
        }
        if (n == 0) {
            return;
        }
        List<Integer> small = new ArrayList<>();
        List<Integer> large = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (weights.get(i).size() < SHARED_SIZE ? small : large).add(i);
        }
        double[] settings = {learningRate, beta1, beta2, weightDecay, epsilon};
        if (!small.isEmpty()) {
            OpenMp.aloneOnCallingThread(() -> step(small, weights, gradients, means, variances, steps, settings,
                    decoupled));
        }
        if (!large.isEmpty()) {
            step(large, weights, gradients, means, variances, steps, settings, decoupled);
        }
    }

    /** One call of the module over the weights at {@code which}. */
    private static void step(List<Integer> which, List<NDArray> weights, List<NDArray> gradients, List<NDArray> means,
            List<NDArray> variances, List<NDArray> steps, double[] settings, boolean decoupled) {
        IValue[] args = {tensors(which, weights), tensors(which, gradients), tensors(which, means),
            tensors(which, variances), tensors(which, steps), IValue.from(settings[0]), IValue.from(settings[1]),
            IValue.from(settings[2]), IValue.from(settings[3]), IValue.from(settings[4]), IValue.from(decoupled)};
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            module().forward(args).close();
        } finally {
            JniUtils.setGradMode(recording);
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private static IValue tensors(List<Integer> which, List<NDArray> arrays) {
        PtNDArray[] a = new PtNDArray[which.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (PtNDArray) arrays.get(which.get(i));
        }
        return IValue.listFrom(a);
    }

    /** The module, loaded once into a manager that lives as long as the engine. */
    private static synchronized PtSymbolBlock module() {
        if (module == null) {
            PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
            try (InputStream in = MultiTensorAdam.class.getResourceAsStream(MODULE)) {
                if (in == null) {
                    throw new IllegalStateException("the fused Adam module " + MODULE + " is missing from "
                            + MultiTensorAdam.class.getProtectionDomain().getCodeSource());
                }
                module = JniUtils.loadModule(manager, in, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the fused Adam module " + MODULE, e);
            }
        }
        return module;
    }
}
