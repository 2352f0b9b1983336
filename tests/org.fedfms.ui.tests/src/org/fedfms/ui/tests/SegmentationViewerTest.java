package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
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
import org.fedfms.ui.internal.viewer.OverlayView;
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
        return new TrainerSpec(s.model(), s.adapter(), s.device(), s.schedule().localEpochs(), s.schedule().batchSize(), s.schedule().learningRate(),
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
        Label status = Ui.named(shell, Label.class, "status");
        Label sample = Ui.named(shell, Label.class, "sample");
        Table sites = Ui.named(shell, Table.class, "sites");
        Table samples = Ui.named(shell, Table.class, "samples");
        Canvas canvas = Ui.named(shell, Canvas.class, "canvas");
        part.showExperiment(name);
        Ui.waitUntil("the viewer shows a sample of " + name + " after round 1", MODEL_TIMEOUT_MS,
                () -> status.getText().contains("after round 1") && sample.getText().contains(": Dice "),
                status::getText);

        assertEquals(dataset.sites().stream().map(s -> List.of(s.siteId(), "" + s.train().size(),
                "" + s.validation().size(), "" + s.test().size())).toList(), rows(sites, 4));
        SiteData site = dataset.sites().get(0);
        assertEquals(site.siteId(), selected(sites));
        assertTrue(site.test().size() >= 2, site.test().size() + " test samples");

        List<SampleMetrics> expected = exporter.evaluateSamples(trainerSpec(spec), site, DataSplit.TEST, List.of(),
                federation.globalParameters(name), TrainingMonitor.NONE);
        assertEquals(site.test().stream().map(s -> s.id()).toList(), column(samples, 0));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).sampleId(), samples.getItem(i).getText(0));
            assertEquals(LineChart.format(expected.get(i).metrics().get("dice").orElseThrow()),
                    samples.getItem(i).getText(1), "dice of " + expected.get(i).sampleId());
            assertEquals(LineChart.format(expected.get(i).metrics().get("hd95").orElseThrow()),
                    samples.getItem(i).getText(3));
        }

        // the sample with the most predicted foreground among the listed ones
        SamplePrediction shown = null;
        for (String id : column(samples, 0)) {
            SamplePrediction p = exporter.predict(trainerSpec(spec), site, DataSplit.TEST, List.of(id),
                    federation.globalParameters(name), TrainingMonitor.NONE).get(0);
            if (shown == null || p.foregroundPixels() > shown.foregroundPixels()) {
                shown = p;
            }
        }
        assertTrue(shown.foregroundPixels() > 0, "one round of training predicts some foreground");
        String id = shown.sampleId();
        SamplePrediction p = shown;
        click(samples, id);
        Ui.waitUntil("the viewer shows " + id, MODEL_TIMEOUT_MS,
                () -> sample.getText().startsWith(site.siteId() + " / " + id + ": Dice "), sample::getText);
        SampleMetrics same = expected.stream().filter(m -> m.sampleId().equals(id)).findFirst().orElseThrow();
        double dice = same.metrics().get("dice").orElseThrow();
        assertEquals(dice, p.metrics().metrics().get("dice").orElseThrow(), 1e-9, "the sample's dice");
        assertTrue(sample.getText().startsWith(site.siteId() + " / " + id + ": Dice " + LineChart.format(dice)),
                sample.getText());
        LabeledImage image = site.test().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().load();
        assertEquals(List.of(image.height(), image.width()), List.of(overlay(canvas).height, overlay(canvas).width));

        // default style: prediction filled translucent, ground truth outlined
        int alpha = Math.round(Ui.named(shell, Scale.class, "opacity").getSelection() * 255f / 100);
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
                assertEquals(want, pixel(overlay(canvas), x, y), "overlay at " + x + "," + y);
                if (p.predicted()[i] != 0 && !outline) {
                    filled++;
                }
            }
        }
        assertTrue(filled > 0, "predicted pixels off the ground-truth outline");

        // opaque prediction, no ground truth: the prediction colour exactly where the prediction is foreground
        setStyle(false, true, 100);
        int predictionPixel = -1;
        for (int i = 0; i < p.predicted().length; i++) {
            int x = i % image.width();
            int y = i / image.width();
            int want = p.predicted()[i] != 0 ? predictionColour : SegmentationOverlay.base(image, i);
            assertEquals(want, pixel(overlay(canvas), x, y), "opaque overlay at " + x + "," + y);
            if (p.predicted()[i] != 0 && predictionPixel < 0 && SegmentationOverlay.base(image, i) != predictionColour) {
                predictionPixel = i;
            }
        }
        // ... and on the screen
        Ui.pump(300);
        int px = predictionPixel % image.width();
        int py = predictionPixel / image.width();
        Rectangle drawn = (Rectangle) canvas.getData(OverlayView.DRAWN);
        assertTrue(drawn.width >= image.width(), "drawn at " + drawn);
        int sx = drawn.x + (int) ((px + 0.5) * drawn.width / image.width());
        int sy = drawn.y + (int) ((py + 0.5) * drawn.height / image.height());
        assertEquals(predictionColour, screenPixel(canvas, sx, sy), "canvas pixel at " + sx + "," + sy);

        // prediction off: the image itself where the prediction was
        setStyle(false, false, 100);
        assertEquals(SegmentationOverlay.base(image, predictionPixel), pixel(overlay(canvas), px, py));
        Ui.pump(300);
        assertEquals(SegmentationOverlay.base(image, predictionPixel), screenPixel(canvas, sx, sy));

        // another site: its own samples and the exporter's dice for them
        SiteData second = dataset.sites().get(1);
        click(sites, second.siteId());
        Ui.waitUntil("the viewer shows " + second.siteId(), MODEL_TIMEOUT_MS,
                () -> sample.getText().startsWith(second.siteId() + " / ") && sample.getText().contains(": Dice "),
                status::getText);
        List<SampleMetrics> secondExpected = exporter.evaluateSamples(trainerSpec(spec), second, DataSplit.TEST,
                List.of(), federation.globalParameters(name), TrainingMonitor.NONE);
        assertEquals(secondExpected.stream().map(m -> LineChart.format(m.metrics().get("dice").orElseThrow())).toList(),
                column(samples, 1));
        assertTrue(status.getText().startsWith(name + ", global model after round 1: " + second.siteId() + " test, "
                + secondExpected.size() + " samples, mean Dice "), status.getText());
        // the mean leaves out the images without the label in truth or prediction (NaN), and counts them
        double[] scored = secondExpected.stream().mapToDouble(m -> m.metrics().get("dice").orElseThrow())
                .filter(d -> !Double.isNaN(d)).toArray();
        long empty = secondExpected.size() - scored.length;
        assertTrue(status.getText().endsWith(" samples, mean Dice " + LineChart.format(java.util.Arrays.stream(scored)
                .average().orElse(Double.NaN)) + ", " + empty + " empty (label absent from both, left out)"),
                status.getText());
    }

    @Test
    void anExperimentWhoseTrainerHasNoExporterListsItsSitesAndSaysWhy() throws Exception {
        String name = fresh("ui-viewer-linreg");
        federation.create(ExperimentSpec.builder(name).dataset(FixtureDatasetLoader.ID).trainer(LinRegTrainerFactory.ID)
                .model("linreg").adapter("none").device("cpu").datasetSettings(Map.of("sites", 3)).rounds(1).build());
        SegmentationViewerPart part = Ui.make(SegmentationViewerPart.class, shell);
        shell.open();
        Label status = Ui.named(shell, Label.class, "status");
        part.showExperiment(name);
        Ui.waitUntil("the viewer says why it shows no samples",
                () -> status.getText().startsWith("Trainer 'linreg' offers no prediction exporter"), status::getText);
        Table sites = Ui.named(shell, Table.class, "sites");
        assertEquals(3, sites.getItemCount(), rows(sites, 4).toString());
        assertEquals(0, Ui.named(shell, Table.class, "samples").getItemCount());
        assertEquals(null, overlay(Ui.named(shell, Canvas.class, "canvas")));
    }

    /** Sets the overlay options through their widgets, as the user would. */
    private void setStyle(boolean truth, boolean predicted, int opacityPercent) {
        Ui.select(Ui.named(shell, Button.class, "ground-truth"), truth);
        Ui.select(Ui.named(shell, Button.class, "prediction"), predicted);
        Scale opacity = Ui.named(shell, Scale.class, "opacity");
        opacity.setSelection(opacityPercent);
        Ui.select(opacity, true);
    }

    /** Selects the row whose first cell is {@code key}, as a click would. */
    private static void click(Table table, String key) {
        int row = column(table, 0).indexOf(key);
        assertTrue(row >= 0, key + " is listed");
        table.setSelection(row);
        table.notifyListeners(SWT.Selection, new Event());
    }

    private static String selected(Table table) {
        int i = table.getSelectionIndex();
        return i < 0 ? null : table.getItem(i).getText(0);
    }

    private static List<String> column(Table table, int column) {
        List<String> cells = new ArrayList<>();
        for (TableItem item : table.getItems()) {
            cells.add(item.getText(column));
        }
        return cells;
    }

    private static List<List<String>> rows(Table table, int columns) {
        List<List<String>> rows = new ArrayList<>();
        for (TableItem item : table.getItems()) {
            List<String> row = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                row.add(item.getText(c));
            }
            rows.add(row);
        }
        return rows;
    }

    private static ImageData overlay(Canvas canvas) {
        return (ImageData) canvas.getData(OverlayView.OVERLAY);
    }

    private static int pixel(ImageData d, int x, int y) {
        RGB rgb = d.palette.getRGB(d.getPixel(x, y));
        return rgb.red << 16 | rgb.green << 8 | rgb.blue;
    }

    /** The colour the canvas shows at (x, y), read back from the screen. */
    private static int screenPixel(Canvas canvas, int x, int y) {
        canvas.redraw();
        canvas.update();
        GC gc = new GC(canvas);
        Image grab = new Image(canvas.getDisplay(), 1, 1);
        try {
            gc.copyArea(grab, x, y);
            return pixel(grab.getImageData(), 0, 0);
        } finally {
            grab.dispose();
            gc.dispose();
        }
    }
}
