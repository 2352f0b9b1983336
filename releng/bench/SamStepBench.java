import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.fedfms.djl.MultiTensorAdam;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.djl.internal.PyTorchRuntime;
import org.fedfms.model.Prompts;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Ops;
import org.fedfms.model.sam.SamConfig;
import org.fedfms.model.sam.SamModel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * The DJL half of releng/bench/sam-step: median milliseconds of one training step (forward, backward,
 * Adam update) of sam-tiny (batch 4, every parameter trains, BCE on the masks) and of the sam-vit-b
 * image encoder at 256x256 (batch 2, encoder trains, mean square of the embedding), and of one
 * linear layer's matrix product (the BLAS underneath), then peak RSS. sam-tiny warms up fifty times as
 * many steps as asked: its steps are short, and the JVM compiles their code in stages over the first hundred or so
 * (after 30 steps a step still took 8-15% longer than after 150). Runs on the product's jars outside
 * OSGi (the runtime class is instantiated directly). The update is the product's training step's (the site
 * trainer's RoundOptimizer): torch.optim.Adam in one multi-tensor call, {@link MultiTensorAdam}.
 */
public class SamStepBench {

    public static void main(String[] args) throws Exception {
        int steps = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        TorchRuntime runtime = new PyTorchRuntime();
        runtime.engine();
        System.out.printf("djl sam-tiny-b4 %.1f%n", step(runtime, SamConfig.TINY, 4, steps, 50 * warmup, true));
        System.out.printf("djl vit-b-encoder-256-b2 %.1f%n",
                step(runtime, SamConfig.VIT_B.withImageSize(256), 2, steps, warmup, false));
        System.out.printf("djl linear-512x768x2304 %.2f%n", gemm(runtime, steps));
        System.out.printf("djl peak-rss-mb %.0f%n", peakRssMb());
    }

    static double step(TorchRuntime runtime, SamConfig config, int batch, int steps, int warmup, boolean decode) {
        SamModel model = new SamModel("bench", config);
        if (!decode) {
            model.setTrainable(n -> n.startsWith("image_encoder."));
        }
        model.initialize(runtime.newManager(Device.cpu()), 0);
        Adam optimizer = new Adam(model.trainableParameters(), model.manager());
        int s = config.imageSize();
        int low = config.lowResSize();
        Random r = new Random(1);
        float[] pixels = new float[batch * 3 * s * s];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        float[] target = new float[batch * low * low];
        for (int i = 0; i < target.length; i++) {
            target[i] = (i / low) % low < low / 2 ? 1 : 0;
        }
        // the inputs are made once, as on the PyTorch side
        NDArray images = Ops.constant(model.manager(), pixels, new Shape(batch, 3, s, s));
        NDArray y = Ops.constant(model.manager(), target, new Shape(batch, 1, low, low));
        double[] times = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            try (NDManager m = model.manager().newSubManager()) {
                images.tempAttach(m);
                y.tempAttach(m);
                try (GradientCollector gc = runtime.engine().newGradientCollector()) {
                    NDArray loss;
                    if (decode) {
                        NDArray x = model.predict(images, Prompts.none(), false).masks();
                        loss = x.maximum(x.zerosLike()).sub(x.mul(y)).add(x.abs().neg().exp().add(1).log()).mean();
                    } else {
                        loss = model.encodeImages(images).square().mean();
                    }
                    gc.backward(loss);
                }
                optimizer.step(runtime);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i >= warmup) {
                times[i - warmup] = ms;
            }
        }
        model.close();
        Arrays.sort(times);
        return times[steps / 2];
    }

    /** torch.optim.Adam (lr 1e-4) over the trainable parameters that have a gradient, as the site trainer steps. */
    record Adam(List<ModelParameter> parameters, List<NDArray[]> state) {

        Adam(List<ModelParameter> parameters, NDManager manager) {
            this(parameters, new ArrayList<>());
            for (ModelParameter p : parameters) {
                NDArray w = p.array();
                state.add(new NDArray[] {manager.zeros(w.getShape()), manager.zeros(w.getShape()),
                    manager.zeros(new Shape(), DataType.FLOAT32)});
            }
        }

        void step(TorchRuntime runtime) {
            List<NDArray> w = new ArrayList<>();
            List<NDArray> g = new ArrayList<>();
            List<NDArray> m = new ArrayList<>();
            List<NDArray> v = new ArrayList<>();
            List<NDArray> t = new ArrayList<>();
            for (int i = 0; i < parameters.size(); i++) {
                NDArray gradient = runtime.gradientOrNull(parameters.get(i).array());
                if (gradient != null) {
                    w.add(parameters.get(i).array());
                    g.add(gradient);
                    m.add(state.get(i)[0]);
                    v.add(state.get(i)[1]);
                    t.add(state.get(i)[2]);
                }
            }
            MultiTensorAdam.update(w, g, m, v, t, 1e-4f, 0.9f, 0.999f, 1e-8f, 0f, false);
            g.forEach(NDArray::close);
        }
    }

    /** Median ms of {@code x·Wᵀ + b} with x [512, 768] and W [2304, 768]: SAM ViT-B's qkv layer at 256 px. */
    static double gemm(TorchRuntime runtime, int steps) {
        try (NDManager m = runtime.newManager(Device.cpu())) {
            NDArray x = m.randomNormal(new Shape(512, 768));
            NDArray w = m.randomNormal(new Shape(2304, 768));
            NDArray b = m.zeros(new Shape(2304));
            double[] times = new double[4 * steps];
            for (int i = 0; i < 3 + times.length; i++) {
                long t0 = System.nanoTime();
                ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow().close();
                if (i >= 3) {
                    times[i - 3] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return times[times.length / 2];
        }
    }

    static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return Double.NaN;
    }
}
