package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.testing.fixture.ParameterBits;
import org.fedfms.train.SegmentationMetrics;
import org.fedfms.train.TrainerOptions;
import org.fedfms.train.internal.DjlSiteTrainer;
import org.fedfms.train.internal.SegmentationLoss;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The djl trainer on one site of the synthetic dataset, through its factory service. */
class SiteTrainerTest {

    private static final double LR = 2e-3;
    private static SiteData site;
    private static SiteTrainerFactory factory;

    @BeforeAll
    static void data() throws Exception {
        FederatedDataset d = TestEnv.synthetic(TestEnv.map("imageSize", 128, "samplesPerSite", 24, "shiftStrength", 0.3));
        site = d.sites().get(0);
        factory = TestEnv.trainerFactory();
    }

    private static TrainerSpec spec(String adapter, Map<String, Object> options) {
        return new TrainerSpec("sam-tiny", adapter, "cpu", 1, 4, LR, 42, options);
    }

    private static DjlSiteTrainer trainer(TrainerSpec spec, SiteData data) throws Exception {
        return (DjlSiteTrainer) factory.create(spec, data);
    }

    @Test
    void fitIsBitwiseRepeatableAndLeavesFrozenParametersUnchanged() throws Exception {
        // warmModels=0: the second trainer below builds a new model instead of reusing the first one's
        TrainerSpec spec = spec("msa", TestEnv.map("localSteps", 3, "warmModels", 0));
        FitResult first;
        ParameterSet initial;
        try (DjlSiteTrainer t = trainer(spec, site)) {
            initial = t.initialParameters();
            ParameterSet before = t.modelState();
            List<long[]> batches = new ArrayList<>();
            first = t.fit(1, initial, FitInstructions.none(), new TrainingMonitor() {
                @Override
                public void batchDone(String siteId, int batch, int of, long samples) {
                    batches.add(new long[] {batch, of, samples});
                }

                @Override
                public void progress(String siteId, double fraction, String message) {
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }
            });
            ParameterSet after = t.modelState();
            // each of the 3 steps reported once, in order, with the samples trained on so far
            assertEquals(3, batches.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1, batches.get(i)[0]);
                assertEquals(3, batches.get(i)[1]);
                assertTrue(batches.get(i)[2] > (i == 0 ? 0 : batches.get(i - 1)[2]), "samples after step " + (i + 1));
            }

            List<String> trainable = t.trainableNames();
            assertEquals(trainable, first.parameters().names(), "fit returns exactly the trainable parameters");
            long frozenValues = 0;
            for (Tensor b : before.tensors()) {
                if (!trainable.contains(b.name())) {
                    assertTrue(ParameterBits.bitwiseEqual(b, after.get(b.name())), "frozen tensor " + b.name() + " changed");
                    frozenValues += b.size();
                }
            }
            assertTrue(frozenValues > 4 * first.parameters().parameterCount(), frozenValues + " frozen values");
            int changed = 0;
            for (String n : trainable) {
                changed += ParameterBits.bitwiseEqual(initial.get(n), first.parameters().get(n)) ? 0 : 1;
            }
            assertTrue(changed > trainable.size() / 2, changed + " of " + trainable.size() + " trainable tensors changed");
            assertEquals(site.train().size(), first.sampleCount());
            assertEquals(3.0, first.metrics().get("steps").orElseThrow());
            assertTrue(first.metrics().get("loss").orElseThrow() > 0);

            FitResult again = t.fit(1, initial, FitInstructions.none(), TrainingMonitor.NONE);
            assertTrue(TestEnv.bitwiseEqual(first.parameters(), again.parameters()), "same round, same start: same update");
            FitResult nextRound = t.fit(2, initial, FitInstructions.none(), TrainingMonitor.NONE);
            assertFalse(TestEnv.bitwiseEqual(first.parameters(), nextRound.parameters()),
                    "another round shuffles differently");
            t.fit(3, nextRound.parameters(), new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, 0.5)),
                    TrainingMonitor.NONE);
            t.evaluate(3, nextRound.parameters(), DataSplit.TEST, TrainingMonitor.NONE);
            assertEquals(t.tensorCount(), t.liveArrays(), "after fits and an evaluation the model's memory holds "
                    + "its tensors and nothing else (batches, optimizer moments and FedProx anchors are freed)");
        }
        try (DjlSiteTrainer fresh = trainer(spec, site)) {
            assertTrue(TestEnv.bitwiseEqual(initial, fresh.initialParameters()), "initialisation depends on the seed only");
            FitResult other = fresh.fit(1, initial, FitInstructions.none(), TrainingMonitor.NONE);
            assertTrue(TestEnv.bitwiseEqual(first.parameters(), other.parameters()), "a new model repeats the fit bitwise");
        }
    }

    /** Euclidean distance of two parameter sets of the same layout. */
    private static double distance(ParameterSet a, ParameterSet b) {
        double s = 0;
        for (Tensor t : a.tensors()) {
            float[] x = t.values();
            float[] y = b.get(t.name()).values();
            for (int i = 0; i < x.length; i++) {
                double d = (double) x[i] - y[i];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void fedProxTermPullsTheUpdateTowardsTheGlobalModel() throws Exception {
        try (SiteTrainer t = factory.create(spec("msa", TestEnv.map("localSteps", 8)), site)) {
            ParameterSet global = t.initialParameters();
            double[] distances = new double[3];
            double[] mus = {0, 1, 1e4};
            FitResult strong = null;
            for (int i = 0; i < mus.length; i++) {
                FitResult r = t.fit(1, global, new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, mus[i])),
                        TrainingMonitor.NONE);
                distances[i] = distance(global, r.parameters());
                if (mus[i] > 0) {
                    assertTrue(r.metrics().get("proximal").orElseThrow() >= 0);
                }
                strong = r;
            }
            System.out.printf("FedProx: distance of the update to the global model for mu 0, 1, 1e4: %.4f %.4f %.4f%n",
                    distances[0], distances[1], distances[2]);
            assertTrue(distances[1] < distances[0], "mu 1 pulls the update in: " + distances[0] + " -> " + distances[1]);
            assertTrue(distances[2] < 0.25 * distances[0], "mu 1e4 keeps the update near the global model: "
                    + distances[0] + " -> " + distances[2]);
            assertTrue(strong.parameters().maxAbsDifference(global) <= 3 * LR,
                    "with mu 1e4 no value moves by more than a few Adam steps: " + strong.parameters().maxAbsDifference(global));
        }
    }

    @Test
    void lossesMatchTheirFormulas() {
        TorchRuntime runtime = TestEnv.service(TorchRuntime.class, null);
        float[] x = {2, -1, 0, 3};
        float[] y = {1, 0, 1, 0};
        double bce = 0;
        double pw = 2;
        double inter = 0;
        double sumP = 0;
        double sumY = 0;
        for (int i = 0; i < x.length; i++) {
            bce += (1 - y[i]) * x[i] + (1 + (pw - 1) * y[i]) * Math.log(1 + Math.exp(-x[i]));
            double p = 1 / (1 + Math.exp(-x[i]));
            inter += p * y[i];
            sumP += p;
            sumY += y[i];
        }
        bce /= x.length;
        double dice = 1 - (2 * inter + 1) / (sumP + sumY + 1);
        try (NDManager m = runtime.newManager(Device.cpu())) {
            NDArray logits = m.create(x, new Shape(1, 1, 2, 2));
            NDArray targets = m.create(y, new Shape(1, 1, 2, 2));
            assertEquals(bce, loss(logits, targets, "bce"), 1e-6);
            assertEquals(1.2505, bce, 1e-4);
            assertEquals(dice, loss(logits, targets, "dice"), 1e-6);
            assertEquals(bce + dice, loss(logits, targets, "bce+dice"), 1e-6);
        }
    }

    private static double loss(NDArray logits, NDArray targets, String kind) {
        TrainerOptions o = TrainerOptions.of(Map.of("loss", kind));
        return new SegmentationLoss(o).perSample(logits, targets).getFloat(0);
    }

    @Test
    void optionsServicesAndDevicesAreCheckedWithClearErrors() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> factory.create(spec("msa",
                TestEnv.map("lr", 0.1)), site));
        assertTrue(e.getMessage().contains("unknown setting 'lr'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> factory.create(spec("msa", TestEnv.map("loss", "focal")),
                site));
        assertTrue(e.getMessage().contains("'loss' = 'focal' is not one of"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> factory.create(spec("msa",
                TestEnv.map("prompt", "box", "classes", 3)), site));
        assertEquals("prompt box needs binary masks (classes=2); with 3 classes use prompt=none", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> factory.create(
                new TrainerSpec("sam-huge", "msa", "cpu", 1, 4, LR, 42, Map.of()), site));
        assertTrue(e.getMessage().startsWith("model variant 'sam-huge' is not present (present: [")
                && e.getMessage().contains("sam-tiny"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> factory.create(spec("nope", Map.of()), site));
        assertTrue(e.getMessage().startsWith("adapter type 'nope' is not present (present: [")
                && e.getMessage().contains("msa"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> factory.create(
                new TrainerSpec("sam-tiny", "msa", "gpu:7", 1, 4, LR, 42, Map.of()), site));
        assertTrue(e.getMessage().startsWith("device 'gpu:7' cannot be used: device gpu:7 is not available"),
                e.getMessage());
        assertEquals(TrainerOptions.SCHEMA, factory.options());
    }

    @Test
    void modelVariantsAreTrackedAsTheyComeAndGo() throws Exception {
        ModelVariant tiny = TestEnv.service(ModelVariant.class, "(id=sam-tiny)");
        ModelVariant renamed = new ModelVariant() {
            @Override
            public String id() {
                return "sam-tiny-copy";
            }

            @Override
            public String description() {
                return "sam-tiny under another id";
            }

            @Override
            public int inputSize() {
                return tiny.inputSize();
            }

            @Override
            public SegmentationModel create() {
                return tiny.create();
            }
        };
        TrainerSpec spec = new TrainerSpec("sam-tiny-copy", "msa", "cpu", 1, 4, LR, 42, Map.of());
        assertThrows(IllegalArgumentException.class, () -> factory.create(spec, site));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", "sam-tiny-copy");
        ServiceRegistration<ModelVariant> reg = TestEnv.context().registerService(ModelVariant.class, renamed, props);
        try {
            TestEnv.awaitTrue(() -> {
                try {
                    factory.create(spec, site).close();
                    return true;
                } catch (Exception notYet) {
                    return false;
                }
            }, () -> "the trainer factory sees sam-tiny-copy");
        } finally {
            reg.unregister();
        }
        Exception e = assertThrows(IllegalArgumentException.class, () -> factory.create(spec, site));
        assertTrue(e.getMessage().contains("'sam-tiny-copy' is not present"), e.getMessage());
    }

    @Test
    void promptModesLossesAndOptimizersTrainAndEvaluate() throws Exception {
        ParameterSet trainedWithBoxes = null;
        for (Map<String, Object> options : List.of(
                TestEnv.map("localSteps", 2, "prompt", "box"),
                TestEnv.map("localSteps", 2, "prompt", "point"),
                TestEnv.map("localSteps", 2, "loss", "dice", "optimizer", "adamw", "weightDecay", 0.01),
                TestEnv.map("localSteps", 2, "loss", "bce+dice", "metric", "reference"))) {
            try (SiteTrainer t = factory.create(spec("msa", options), site)) {
                FitResult r = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE);
                double loss = r.metrics().get("loss").orElseThrow();
                assertTrue(Double.isFinite(loss) && loss > 0, options + ": loss " + loss);
                EvaluateResult ev = t.evaluate(1, r.parameters(), DataSplit.TEST, TrainingMonitor.NONE);
                assertEquals(site.test().size(), ev.sampleCount());
                for (String k : List.of("dice", "iou", "hd95", "loss")) {
                    double v = ev.metrics().get(k).orElseThrow();
                    assertTrue(Double.isFinite(v) && v >= 0, options + ": " + k + " = " + v);
                }
                if ("box".equals(options.get("prompt"))) {
                    trainedWithBoxes = r.parameters();
                }
            }
        }
        try (SiteTrainer boxes = factory.create(spec("msa", TestEnv.map("prompt", "box")), site);
                SiteTrainer free = factory.create(spec("msa", Map.of()), site)) {
            double withBoxes = boxes.evaluate(1, trainedWithBoxes, DataSplit.TEST, TrainingMonitor.NONE).metrics()
                    .get("loss").orElseThrow();
            double without = free.evaluate(1, trainedWithBoxes, DataSplit.TEST, TrainingMonitor.NONE).metrics()
                    .get("loss").orElseThrow();
            assertNotEquals(withBoxes, without, "box prompts reach the decoder");
        }
    }

    @Test
    void multiClassMasksTrainOneChannelPerLabel() throws Exception {
        FederatedDataset d = TestEnv.synthetic(TestEnv.map("imageSize", 128, "samplesPerSite", 16, "classes", 3,
                "shiftStrength", 0.3));
        SiteData s = d.sites().get(1);
        boolean lesions = false;
        for (var sample : s.train()) {
            for (byte b : sample.load().mask()) {
                lesions |= b == 2;
            }
        }
        assertTrue(lesions, "the site shows lesions (label 2)");
        try (SiteTrainer t = factory.create(spec("msa", TestEnv.map("classes", 3, "localSteps", 2)), s)) {
            FitResult r = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE);
            Metrics m = t.evaluate(1, r.parameters(), DataSplit.TEST, TrainingMonitor.NONE).metrics();
            double d1 = m.get("dice_1").orElseThrow();
            double d2 = m.get("dice_2").orElseThrow();
            assertEquals((d1 + d2) / 2, m.get("dice").orElseThrow(), 1e-12, "dice is the mean over the labels");
        }
    }

    @Test
    void exportWritesOverlaysWithPerSampleMetrics(@TempDir Path dir) throws Exception {
        TrainerSpec spec = spec("msa", TestEnv.map("localSteps", 4));
        ParameterSet trained;
        EvaluateResult whole;
        try (SiteTrainer t = factory.create(spec, site)) {
            trained = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE).parameters();
            whole = t.evaluate(1, trained, DataSplit.TEST, TrainingMonitor.NONE);
        }
        List<SampleMetrics> all = TestEnv.exporter().evaluateSamples(spec, site, DataSplit.TEST, List.of(), trained,
                TrainingMonitor.NONE);
        assertEquals(site.test().size(), all.size());
        for (String k : List.of("dice", "iou", "hd95", "loss")) {
            double mean = all.stream().mapToDouble(m -> m.metrics().get(k).orElseThrow()).average().orElseThrow();
            assertEquals(whole.metrics().get(k).orElseThrow(), mean, 1e-9, k + ": per-sample metrics average to evaluate()'s");
        }

        List<String> chosen = List.of(site.test().get(1).id(), site.test().get(0).id());
        Path out = dir.resolve("overlays");
        List<SampleMetrics> exported = TestEnv.exporter().export(spec, site, DataSplit.TEST, chosen, trained, out,
                TrainingMonitor.NONE);
        assertEquals(2, exported.size());
        List<String> files = new ArrayList<>();
        for (SampleMetrics m : exported) {
            assertTrue(Files.isRegularFile(m.file()), m.file().toString());
            files.add(m.file().getFileName().toString());
            LabeledImage image = site.test().stream().filter(s -> s.id().equals(m.sampleId())).findFirst().orElseThrow()
                    .load();
            BufferedImage png = ImageIO.read(m.file().toFile());
            assertEquals(3 * image.width() + 8, png.getWidth());
            assertEquals(image.height(), png.getHeight());
            int inside = -1;
            for (int i = 0; i < image.mask().length && inside < 0; i++) {
                int x = i % image.width();
                int y = i / image.width();
                if (image.mask()[i] != 0 && x > 0 && y > 0 && x < image.width() - 1 && y < image.height() - 1
                        && image.mask()[i - 1] != 0 && image.mask()[i + 1] != 0
                        && image.mask()[i - image.width()] != 0 && image.mask()[i + image.width()] != 0) {
                    inside = i;
                }
            }
            if (inside >= 0) {
                int x = inside % image.width();
                int y = inside / image.width();
                int plain = png.getRGB(x, y) & 0xffffff;
                int truth = png.getRGB(image.width() + 4 + x, y) & 0xffffff;
                assertTrue((truth >> 8 & 0xff) > (plain >> 8 & 0xff), "the ground truth panel is tinted green");
            }
            SampleMetrics same = all.stream().filter(a -> a.sampleId().equals(m.sampleId())).findFirst().orElseThrow();
            // the same sample's metrics; evaluated in a batch of other samples, so within float rounding
            assertEquals(same.metrics().values().keySet(), m.metrics().values().keySet());
            for (String k : same.metrics().values().keySet()) {
                double expected = same.metrics().get(k).orElseThrow();
                assertEquals(expected, m.metrics().get(k).orElseThrow(), 1e-6 * Math.max(1, Math.abs(expected)),
                        m.sampleId() + " " + k);
            }
        }
        assertEquals(List.of(("site-1_" + chosen.get(0) + ".png"), ("site-1_" + chosen.get(1) + ".png")), files);
        try (var listing = Files.list(out)) {
            assertEquals(2, listing.count(), "no temporary files left");
        }
        Exception e = assertThrows(IllegalArgumentException.class, () -> TestEnv.exporter().export(spec, site,
                DataSplit.TEST, List.of("slice-999999"), trained, out, TrainingMonitor.NONE));
        assertTrue(e.getMessage().startsWith("site 'site-1' has no samples [slice-999999] in its test split"),
                e.getMessage());
    }

    @Test
    void predictHandsOutTheSampleTheLabelsAndTheMetricsOfEvaluateSamples() throws Exception {
        TrainerSpec spec = spec("msa", TestEnv.map("localSteps", 4));
        ParameterSet trained;
        try (SiteTrainer t = factory.create(spec, site)) {
            trained = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE).parameters();
        }
        List<String> chosen = List.of(site.test().get(1).id(), site.test().get(0).id());
        List<SampleMetrics> evaluated = TestEnv.exporter().evaluateSamples(spec, site, DataSplit.TEST, chosen, trained,
                TrainingMonitor.NONE);
        List<SamplePrediction> predicted = TestEnv.exporter().predict(spec, site, DataSplit.TEST, chosen, trained,
                TrainingMonitor.NONE);
        assertEquals(chosen, predicted.stream().map(SamplePrediction::sampleId).toList(), "in the order asked for");
        int foreground = 0;
        for (int n = 0; n < predicted.size(); n++) {
            SamplePrediction p = predicted.get(n);
            assertEquals("site-1", p.siteId());
            assertEquals(evaluated.get(n).metrics(), p.metrics().metrics(), "the metrics evaluateSamples reports");
            LabeledImage loaded = site.test().stream().filter(s -> s.id().equals(p.sampleId())).findFirst()
                    .orElseThrow().load();
            assertArrayEquals(loaded.mask(), p.image().mask());
            assertArrayEquals(loaded.pixels(), p.image().pixels());
            assertEquals(1, p.probabilities().length);
            boolean[] pred = new boolean[p.predicted().length];
            boolean[] truth = new boolean[pred.length];
            for (int i = 0; i < pred.length; i++) {
                float prob = p.probabilities()[0][i];
                assertTrue(prob >= 0f && prob <= 1f, "probability " + prob);
                assertTrue(p.predicted()[i] == 0 ? prob <= 0.5f : prob >= 0.5f, "label and probability agree at " + i);
                pred[i] = p.predicted()[i] != 0;
                truth[i] = loaded.mask()[i] != 0;
            }
            foreground += p.foregroundPixels();
            assertEquals(p.metrics().metrics().get("dice").orElseThrow(),
                    SegmentationMetrics.diceIou(pred, truth)[0], 1e-12, "dice of the labels handed out");
        }
        assertTrue(foreground > 0, "the trained model predicts some foreground");
        Exception e = assertThrows(IllegalArgumentException.class, () -> TestEnv.exporter().predict(spec, site,
                DataSplit.TEST, List.of("slice-999999"), trained, TrainingMonitor.NONE));
        assertTrue(e.getMessage().startsWith("site 'site-1' has no samples [slice-999999] in its test split"),
                e.getMessage());
    }
}
