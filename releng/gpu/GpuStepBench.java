import java.util.Map;

import org.fedfms.adapter.msa.MedicalSamAdapter;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.data.synthetic.internal.SyntheticDatasetLoader;
import org.fedfms.djl.internal.PyTorchRuntime;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.sam.SamConfig;
import org.fedfms.model.sam.SamModel;
import org.fedfms.train.internal.DjlTrainerFactory;

/**
 * The Java half of releng/gpu/check: FedMSA training steps of sam-vit-b (MSA adapters + mask decoder train,
 * prompt-free, BCE, Adam) on one device, through the djl site trainer as a federated round runs it, on the
 * product's jars outside OSGi. Prints the engine, then {@code step DEVICE samples-per-second X}.
 *
 * <p>java -cp JARS GpuStepBench.java DEVICE SIZE BATCH STEPS   (DEVICE: cpu or gpu:N; SIZE: input pixels)
 */
public class GpuStepBench {

    public static void main(String[] args) throws Exception {
        String device = args[0];
        int size = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);

        PyTorchRuntime runtime = new PyTorchRuntime();
        runtime.engine();
        System.out.println("engine " + runtime.describe() + "; devices " + runtime.availableDevices());
        DjlTrainerFactory factory = new DjlTrainerFactory(runtime);
        String id = size == 1024 ? "sam-vit-b" : "sam-vit-b-" + size;
        factory.addVariant(vitB(id, size), Map.of("id", id));
        factory.addAdapter(new MedicalSamAdapter(), Map.of("id", "msa"));
        SiteData site = new SyntheticDatasetLoader().load(Map.of("sites", 1, "samplesPerSite", batch * (steps + 1),
                "imageSize", size, "validationFraction", 0.0, "testFraction", 0.0)).sites().get(0);

        TrainerSpec warm = new TrainerSpec(id, "msa", device, 1, batch, 1e-4, 42, Map.of("localSteps", 1));
        TrainerSpec timed = new TrainerSpec(id, "msa", device, 1, batch, 1e-4, 42, Map.of("localSteps", steps));
        try (SiteTrainer trainer = factory.create(timed, site); SiteTrainer warmup = factory.create(warm, site)) {
            var initial = trainer.initialParameters();
            warmup.fit(0, initial, FitInstructions.none(), TrainingMonitor.NONE);
            long t0 = System.nanoTime();
            FitResult r = trainer.fit(1, initial, FitInstructions.none(), TrainingMonitor.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!Double.isFinite(r.metrics().get("loss").orElse(Double.NaN))) {
                throw new IllegalStateException("training on " + device + " gave a non-finite loss");
            }
            System.out.printf("step %s %s@%d batch %d: %d steps in %.2f s, samples-per-second %.3f%n", device, id, size,
                    batch, steps, seconds, steps * batch / seconds);
        }
    }

    private static ModelVariant vitB(String id, int size) {
        SamConfig config = size == 1024 ? SamConfig.VIT_B : SamConfig.VIT_B.withImageSize(size);
        return new ModelVariant() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return "SAM ViT-B at " + size + " px input";
            }

            @Override
            public int inputSize() {
                return size;
            }

            @Override
            public SegmentationModel create() {
                return new SamModel(id, config);
            }
        };
    }
}
