package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Shell;
import org.fedfms.api.RoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.parts.SegmentationViewerPart;
import org.fedfms.ui.internal.viewer.SegmentationOverlay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Segmentation viewer over a real experiment: sam-tiny with the MSA adapter on a small synthetic
 * dataset, one round of the real {@code djl} trainer, predictions from its {@link PredictionExporter}.
 */
class SegmentationViewerTest {

    private static final long MODEL_TIMEOUT_MS = 240_000;
    private static final Map<String, Object> DATA = new LinkedHashMap<>(Map.of("sites", 2, "samplesPerSite", 12,
            "imageSize", 64, "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25));

    private Shell shell;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();
    private final List<String> experiments = new ArrayList<>();
    private FederationService federation;

    @BeforeEach
    void open() throws Exception {
        federation = service(FederationService.class, null);
        Ui.waitUntil("the djl trainer, the synthetic and fixture loaders and fedavg are present", 60_000,
                () -> federation.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                        && federation.loaders().stream().anyMatch(l -> l.id().equals("synthetic"))
                        && federation.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                        && federation.strategies().stream().anyMatch(s -> s.id().equals("fedavg")),
                () -> "trainers " + federation.trainerFactories().stream().map(t -> t.id()).toList());
        shell = Ui.shell();
        shell.setSize(1300, 800);
    }

    @AfterEach
    void close() {
        shell.dispose();
        for (String name : experiments) {
            federation.remove(name, true);
        }
        trackers.forEach(ServiceTracker::close);
    }

    private <T> T service(Class<T> type, String filter) throws InterruptedException, InvalidSyntaxException {
        String f = filter == null ? "(objectClass=" + type.getName() + ")"
                : "(&(objectClass=" + type.getName() + ")" + filter + ")";
        ServiceTracker<T, T> t = new ServiceTracker<>(Ui.context(), Ui.context().createFilter(f), null);
        t.open();
        trackers.add(t);
        T s = t.waitForService(60_000);
        assertNotNull(s, "no service " + f);
        return s;
    }

    private String fresh(String name) {
        federation.remove(name, true);
        experiments.add(name);
        return name;
    }

    private static TrainerSpec trainerSpec(ExperimentSpec s) {
        return new TrainerSpec(s.model(), s.adapter(), s.device(), s.localEpochs(), s.batchSize(), s.learningRate(),
                s.seed(), s.trainerOptions());
    }

    @Test
    void listsSitesAndSamplesWithTheExportersDiceAndDrawsThePrediction() throws Exception {
        String name = fresh("ui-viewer");
        federation.create(ExperimentSpec.builder(name).model("sam-tiny").adapter("msa")
                .trainer("djl").dataset("synthetic").datasetSettings(DATA).strategy("fedavg").device("cpu").rounds(2)
                .localEpochs(1).batchSize(4).learningRate(2e-3).seed(42).roundDeadlineSeconds(600)
                .trainerOptions(Map.of("localSteps", 6)).build());
        ExperimentSpec spec = federation.spec(name);
        RoundResult round = federation.runRound(name);
        assertEquals(1, round.round());
        assertEquals(2, round.okSites(), round.toString());

        DatasetLoader loader = federation.loaders().stream().filter(l -> l.id().equals("synthetic")).findFirst()
                .orElseThrow();
        FederatedDataset dataset = loader.load(spec.datasetSettings());
        PredictionExporter exporter = service(PredictionExporter.class, "(id=djl)");

        SegmentationViewerPart part = Ui.make(SegmentationViewerPart.class, shell);
        shell.open();
        part.showExperiment(name);
        Ui.waitUntil("the viewer shows a sample of " + name, MODEL_TIMEOUT_MS,
                () -> part.prediction() != null && part.round() == 1, part::statusText);

        assertEquals(dataset.sites().stream().map(s -> new SegmentationViewerPart.SiteRow(s.siteId(), s.train().size(),
                s.validation().size(), s.test().size())).toList(), part.sites());
        SiteData site = dataset.sites().get(0);
        assertEquals(site.siteId(), part.site());
        assertTrue(site.test().size() >= 2, site.test().size() + " test samples");

        List<SampleMetrics> expected = exporter.evaluateSamples(trainerSpec(spec), site, DataSplit.TEST, List.of(),
                federation.globalParameters(name), TrainingMonitor.NONE);
        assertEquals(site.test().stream().map(s -> s.id()).toList(),
                part.samples().stream().map(SegmentationViewerPart.SampleRow::sampleId).toList());
        for (int i = 0; i < expected.size(); i++) {
            SegmentationViewerPart.SampleRow row = part.samples().get(i);
            double dice = expected.get(i).metrics().get("dice").orElseThrow();
            assertEquals(dice, row.dice(), 1e-9, "dice of " + row.sampleId());
            assertEquals(expected.get(i).metrics().get("hd95").orElseThrow(), row.hd95(), 1e-9);
            assertEquals(LineChart.format(dice), part.samplesTable().getItem(i).getText(1));
        }

        // the sample with the most predicted foreground among the listed ones
        SamplePrediction shown = null;
        for (SegmentationViewerPart.SampleRow row : part.samples().stream()
                .sorted(Comparator.comparingDouble(SegmentationViewerPart.SampleRow::dice).reversed()).toList()) {
            part.selectSample(row.sampleId());
            Ui.waitUntil("the viewer shows " + row.sampleId(), MODEL_TIMEOUT_MS, () -> part.prediction() != null
                    && part.prediction().sampleId().equals(row.sampleId()) && !part.busy(), part::sampleText);
            if (shown == null || part.prediction().foregroundPixels() > shown.foregroundPixels()) {
                shown = part.prediction();
            }
        }
        assertTrue(shown.foregroundPixels() > 0, "one round of training predicts some foreground");
        String id = shown.sampleId();
        part.selectSample(id);
        Ui.waitUntil("the viewer shows " + id, MODEL_TIMEOUT_MS,
                () -> part.prediction() != null && part.prediction().sampleId().equals(id) && !part.busy(),
                part::sampleText);
        SamplePrediction p = part.prediction();
        SampleMetrics same = expected.stream().filter(m -> m.sampleId().equals(id)).findFirst().orElseThrow();
        double dice = same.metrics().get("dice").orElseThrow();
        assertEquals(dice, p.metrics().metrics().get("dice").orElseThrow(), 1e-9, "the sample's dice");
        assertTrue(part.sampleText().startsWith(site.siteId() + " / " + id + ": Dice " + LineChart.format(dice)),
                part.sampleText());
        LabeledImage image = site.test().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().load();
        assertEquals(List.of(image.height(), image.width()), List.of(part.overlay().height, part.overlay().width));

        // default style: prediction filled translucent, ground truth outlined
        int alpha = Math.round(part.opacity().getSelection() * 255f / 100);
        int predictionColour = SegmentationOverlay.PREDICTION_COLOURS[0];
        int truthColour = SegmentationOverlay.TRUTH_COLOURS[0];
        int filled = 0;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = y * image.width() + x;
                int base = SegmentationOverlay.base(image, i);
                boolean outline = image.mask()[i] != 0 && SegmentationOverlay.edge(image.mask(), x, y, image.width(),
                        image.height());
                int want = outline ? truthColour : p.predicted()[i] != 0
                        ? SegmentationOverlay.blend(base, predictionColour, alpha) : base;
                assertEquals(want, pixel(part.overlay(), x, y), "overlay at " + x + "," + y);
                if (p.predicted()[i] != 0 && !outline) {
                    filled++;
                }
            }
        }
        assertTrue(filled > 0, "predicted pixels off the ground-truth outline");

        // opaque prediction, no ground truth: the prediction colour exactly where the prediction is foreground
        part.setStyle(false, true, 100);
        int predictionPixel = -1;
        for (int i = 0; i < p.predicted().length; i++) {
            int x = i % image.width();
            int y = i / image.width();
            int want = p.predicted()[i] != 0 ? predictionColour : SegmentationOverlay.base(image, i);
            assertEquals(want, pixel(part.overlay(), x, y), "opaque overlay at " + x + "," + y);
            if (p.predicted()[i] != 0 && predictionPixel < 0 && SegmentationOverlay.base(image, i) != predictionColour) {
                predictionPixel = i;
            }
        }
        // ... and on the screen
        Ui.pump(300);
        int px = predictionPixel % image.width();
        int py = predictionPixel / image.width();
        Rectangle drawn = part.drawnArea();
        assertTrue(drawn.width >= image.width(), "drawn at " + drawn);
        int sx = drawn.x + (int) ((px + 0.5) * drawn.width / image.width());
        int sy = drawn.y + (int) ((py + 0.5) * drawn.height / image.height());
        assertEquals(predictionColour, screenPixel(part, sx, sy), "canvas pixel at " + sx + "," + sy);

        // prediction off: the image itself where the prediction was
        part.setStyle(false, false, 100);
        assertEquals(SegmentationOverlay.base(image, predictionPixel), pixel(part.overlay(), px, py));
        Ui.pump(300);
        assertEquals(SegmentationOverlay.base(image, predictionPixel), screenPixel(part, sx, sy));

        // another site: its own samples and the exporter's dice for them
        SiteData second = dataset.sites().get(1);
        part.selectSite(second.siteId());
        Ui.waitUntil("the viewer shows " + second.siteId(), MODEL_TIMEOUT_MS,
                () -> second.siteId().equals(part.site()) && part.prediction() != null && !part.busy(),
                part::statusText);
        List<SampleMetrics> secondExpected = exporter.evaluateSamples(trainerSpec(spec), second, DataSplit.TEST,
                List.of(), federation.globalParameters(name), TrainingMonitor.NONE);
        assertEquals(secondExpected.stream().map(m -> m.metrics().get("dice").orElseThrow()).toList(),
                part.samples().stream().map(SegmentationViewerPart.SampleRow::dice).toList());
        assertTrue(part.statusText().startsWith(name + ", global model after round 1: " + second.siteId() + " test, "
                + secondExpected.size() + " samples, mean Dice "), part.statusText());
    }

    @Test
    void anExperimentWhoseTrainerHasNoExporterListsItsSitesAndSaysWhy() throws Exception {
        String name = fresh("ui-viewer-linreg");
        federation.create(ExperimentSpec.builder(name).dataset(FixtureDatasetLoader.ID).trainer(LinRegTrainerFactory.ID)
                .model("linreg").adapter("none").device("cpu").datasetSettings(Map.of("sites", 3)).rounds(1).build());
        SegmentationViewerPart part = Ui.make(SegmentationViewerPart.class, shell);
        shell.open();
        part.showExperiment(name);
        Ui.waitUntil("the viewer says why it shows no samples",
                () -> part.statusText().startsWith("Trainer 'linreg' offers no prediction exporter"), part::statusText);
        assertEquals(3, part.sites().size(), part.sites().toString());
        assertEquals(List.of(), part.samples());
        assertEquals(null, part.prediction());
    }

    private static int pixel(ImageData d, int x, int y) {
        RGB rgb = d.palette.getRGB(d.getPixel(x, y));
        return rgb.red << 16 | rgb.green << 8 | rgb.blue;
    }

    /** The colour the canvas shows at (x, y), read back from the screen. */
    private static int screenPixel(SegmentationViewerPart part, int x, int y) {
        part.canvas().redraw();
        part.canvas().update();
        GC gc = new GC(part.canvas());
        Image grab = new Image(part.canvas().getDisplay(), 1, 1);
        try {
            gc.copyArea(grab, x, y);
            return pixel(grab.getImageData(), 0, 0);
        } finally {
            grab.dispose();
            gc.dispose();
        }
    }
}
