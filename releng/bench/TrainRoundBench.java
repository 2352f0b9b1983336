import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.fedfms.adapter.decoder.DecoderFineTuning;
import org.fedfms.adapter.full.FullFineTuning;
import org.fedfms.adapter.msa.MedicalSamAdapter;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.data.synthetic.internal.SyntheticDatasetLoader;
import org.fedfms.djl.internal.PyTorchRuntime;
import org.fedfms.model.AdapterType;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.sam.SamConfig;
import org.fedfms.model.sam.SamModel;
import org.fedfms.model.sam.internal.SamTinyVariant;
import org.fedfms.train.internal.DjlTrainerFactory;

/**
 * The Java half of releng/bench/train-round: one site's local training with the djl trainer, as a
 * federated round runs it (new optimizer, the round's parameters loaded, trainable parameters returned),
 * for one model and adapter type per process, so that peak RSS belongs to that configuration. Runs on the
 * product's jars outside OSGi: the DS components are instantiated and bound by hand.
 *
 * <p>java -cp JARS TrainRoundBench.java MODEL ADAPTER SAMPLES BATCH EPOCHS [nocache]
 * <br>MODEL: sam-tiny, or sam-vit-b-SIZE (the official ViT-B at a reduced input size)
 * <br>nocache: the frozen-encoder embedding cache off ({@code embeddingCacheMb=0}), reported as ADAPTER-nocache
 */
public class TrainRoundBench {

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String adapter = args[1];
        int samples = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int epochs = Integer.parseInt(args[4]);
        boolean nocache = args.length > 5 && args[5].equals("nocache");
        Map<String, Object> options = nocache ? Map.of("embeddingCacheMb", 0.0) : Map.of();
        String label = nocache ? adapter + "-nocache" : adapter;

        PyTorchRuntime runtime = new PyTorchRuntime();
        runtime.engine();
        DjlTrainerFactory factory = new DjlTrainerFactory(runtime);
        ModelVariant variant = variant(model);
        factory.addVariant(variant, Map.of("id", model));
        factory.addAdapter(new FullFineTuning(), Map.of("id", "full"));
        factory.addAdapter(new MedicalSamAdapter(), Map.of("id", "msa"));
        factory.addAdapter(new DecoderFineTuning(), Map.of("id", "decoder"));

        FederatedDataset data = new SyntheticDatasetLoader().load(Map.of("sites", 1, "samplesPerSite", samples,
                "imageSize", variant.inputSize(), "validationFraction", 0.0, "testFraction", 0.0));
        SiteData site = data.sites().get(0);

        TrainerSpec spec = new TrainerSpec(model, adapter, "cpu", 1, batch, 1e-4, 42, options);
        TrainerSpec warmupSpec = new TrainerSpec(model, adapter, "cpu", 1, batch, 1e-4, 42, Map.of("localSteps", 1));
        long t0 = System.nanoTime();
        try (SiteTrainer trainer = factory.create(spec, site); SiteTrainer warmup = factory.create(warmupSpec, site)) {
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            var initial = trainer.initialParameters();
            warmup.fit(0, initial, FitInstructions.none(), TrainingMonitor.NONE);
            double[] seconds = new double[epochs];
            FitResult last = null;
            for (int e = 0; e < epochs; e++) {
                long s = System.nanoTime();
                last = trainer.fit(e + 1, initial, FitInstructions.none(), TrainingMonitor.NONE);
                seconds[e] = (System.nanoTime() - s) / 1e9;
            }
            Arrays.sort(seconds);
            double median = seconds[epochs / 2];
            int n = site.train().size();
            System.out.printf("bench %s %s epoch-seconds %.3f%n", model, label, median);
            System.out.printf("bench %s %s samples-per-second %.2f%n", model, label, n / median);
            System.out.printf("bench %s %s samples %d%n", model, label, n);
            System.out.printf("bench %s %s bytes-per-round %d%n", model, label, last.parameters().sizeInBytes());
            System.out.printf("bench %s %s trainable %d%n", model, label, last.parameters().parameterCount());
            System.out.printf("bench %s %s build-seconds %.2f%n", model, label, buildSeconds);
            System.out.printf("bench %s %s loss %.4f%n", model, label, last.metrics().get("loss").orElseThrow());
        }
        System.out.printf("bench %s %s peak-rss-mb %.0f%n", model, label, peakRssMb());
        if (model.startsWith("sam-vit-b")) {
            for (String a : new String[] {"full", "msa"}) {
                System.out.printf("bench sam-vit-b-1024 %s bytes-per-round %d%n", a,
                        4 * trainableAtFullSize(a.equals("full") ? new FullFineTuning() : new MedicalSamAdapter()));
            }
        }
    }

    private static ModelVariant variant(String id) {
        if (id.equals("sam-tiny")) {
            return new SamTinyVariant();
        }
        if (!id.startsWith("sam-vit-b-")) {
            throw new IllegalArgumentException("model must be sam-tiny or sam-vit-b-SIZE, got " + id);
        }
        int size = Integer.parseInt(id.substring("sam-vit-b-".length()));
        SamConfig config = SamConfig.VIT_B.withImageSize(size);
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

    /** Trainable parameters of the official 1024 px ViT-B with an adapter type, counted without memory. */
    private static long trainableAtFullSize(AdapterType adapter) {
        try (SegmentationModel m = new SamModel("sam-vit-b", SamConfig.VIT_B)) {
            adapter.apply(m, Map.of());
            return m.trainableParameterCount();
        }
    }

    static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
