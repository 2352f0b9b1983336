package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code fedfms:export} with the real {@code djl} trainer (sam-tiny on small synthetic sites): per-sample
 * metrics of the final model and PNG overlays through the trainer's prediction exporter, consistent with
 * the metrics the experiment recorded; images without the label in truth or prediction score NaN, are left
 * out of the means and counted as empty; the overlay of each site is its median image with foreground, its
 * name and Dice in the caption and the file name.
 */
class ExportOverlaysTest {

    private static final String DATA = "sites=3,samplesPerSite=6,imageSize=32,slicesPerCase=1,"
            + "validationFraction=0.34,testFraction=0.17,holdOutSite=site-3";

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-export-test");
        FederationService f = shell.federation();
        Shell.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("synthetic")),
                "the djl trainer and synthetic data");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void exportWritesPerSampleMetricsAndOverlaysOfTheFinalModel() throws Exception {
        String name = "shell-overlays";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment --model sam-tiny --adapter msa --trainer djl --dataset synthetic --data " + DATA
                + " --protocol leave-one-site-out --unseen-site site-3 --device cpu --rounds 1 --batch 2 --lr 1e-3"
                + " --options localSteps=1 " + name);
        String untrained = shell.execute("fedfms:export --overlays 0 " + name + " " + tmp.resolve("untrained"))
                .toString();
        assertTrue(untrained.contains("per-sample metrics of the initial (untrained) model on "), untrained);
        assertTrue(Files.readAllLines(tmp.resolve("untrained/samples.csv")).size() > 1);

        shell.run("fedfms:run " + name);
        assertEquals(1, f.history(name).size());

        Path out = tmp.resolve("out");
        Object exported = shell.execute("fedfms:export --overlays 1 " + name + " " + out);
        String report = exported.toString();
        assertTrue(report.contains(out.resolve("samples.csv").toString()), report);
        assertTrue(report.contains("per-sample metrics of the model of round 1 on "), report);
        assertTrue(report.contains("PNG overlays of predictions (image | ground truth | prediction)"), report);
        assertTrue(shell.output().contains("[" + name + "] export: site site-3, "), shell.output());

        FederatedDataset data = synthetic(f.spec(name).datasetSettings());
        Map<String, String> splitOf = Map.of("site-1", "validation", "site-2", "validation", "site-3", "test");
        List<String> lines = Files.readAllLines(out.resolve("samples.csv"), StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(","));
        assertEquals(List.of("experiment", "site", "split", "sample", "dice", "iou", "hd95"), header.subList(0, 7));
        assertEquals("file", header.get(header.size() - 1));
        int expectedRows = 0;
        for (SiteData s : data.sites()) {
            expectedRows += s.split(org.fedfms.api.data.DataSplit.valueOf(splitOf.get(s.siteId()).toUpperCase()))
                    .size();
        }
        assertEquals(1 + expectedRows, lines.size(), lines.toString());

        Map<String, List<Double>> diceBySite = new LinkedHashMap<>();
        Map<String, Integer> emptyBySite = new HashMap<>();
        Map<String, Integer> pictures = new HashMap<>();
        Map<String, Double> medianOf = new HashMap<>();
        List<String> pngs = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(name, cells[0]);
            String site = cells[1];
            assertEquals(splitOf.get(site), cells[2], line);
            double dice = Double.parseDouble(cells[4]);
            double iou = Double.parseDouble(cells[5]);
            double hd95 = Double.parseDouble(cells[6]);
            double empty = Double.parseDouble(cells[header.indexOf("empty")]);
            if (Double.isNaN(dice)) {
                // the label absent from both truth and prediction: no scores, counted as empty
                assertTrue(Double.isNaN(iou) && Double.isNaN(hd95) && empty == 1, line);
                emptyBySite.merge(site, 1, Integer::sum);
            } else {
                assertTrue(dice >= 0 && dice <= 1, line);
                assertTrue(iou >= 0 && iou <= 1 && iou <= dice + 1e-9, line);
                assertTrue(hd95 >= 0, line);
                assertEquals(0.0, empty, line);
                diceBySite.computeIfAbsent(site, k -> new ArrayList<>()).add(dice);
            }
            String file = cells[cells.length - 1];
            if (!file.isEmpty()) {
                pictures.merge(site, 1, Integer::sum);
                pngs.add(file);
                LabeledImage image = sample(data, site, cells[3]).load();
                BufferedImage png = ImageIO.read(out.resolve(file).toFile());
                assertNotNull(png, file + " decodes as an image");
                // the three panels under a caption strip, widened to fit the caption where it is longer
                int strip = png.getHeight() - image.height();
                assertTrue(strip >= 9, file + ": a caption strip above the panels");
                assertTrue(png.getWidth() >= 3 * image.width() + 8, file);
                assertTrue(white(png, strip) > 50, file + ": the caption is drawn");
                // one per site, with --overlays 1 the median of the images with foreground, named after it
                String expectedName = site + "_median_" + cells[3].replaceAll("[^A-Za-z0-9._-]", "_") + "_dice"
                        + String.format(java.util.Locale.ROOT, "%.4f", dice) + ".png";
                assertEquals("overlays/" + expectedName, file);
                assertTrue(!Double.isNaN(dice), file + ": a case with foreground");
                medianOf.put(site, dice);
            }
        }
        assertEquals(Map.of("site-1", 1, "site-2", 1, "site-3", 1), pictures, "one overlay per site");
        for (Map.Entry<String, Double> m : medianOf.entrySet()) {
            List<Double> sorted = diceBySite.get(m.getKey()).stream().sorted().toList();
            assertEquals(sorted.get((sorted.size() - 1) / 2), m.getValue(), 0.0, m.getKey() + ": the median case");
        }
        try (Stream<Path> files = Files.list(out.resolve("overlays"))) {
            assertEquals(pngs.stream().map(p -> Path.of(p).getFileName().toString()).sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the PNGs listed, no temporary files");
        }

        JsonObject root = JsonParser.parseString(Files.readString(out.resolve("experiment.json"))).getAsJsonObject();
        JsonArray history = root.getAsJsonArray("history");
        JsonArray sites = history.get(history.size() - 1).getAsJsonObject().getAsJsonArray("sites");
        for (int i = 0; i < sites.size(); i++) {
            JsonObject s = sites.get(i).getAsJsonObject();
            String site = s.get("site").getAsString();
            double recorded = s.getAsJsonObject("evaluationMetrics").get("dice").getAsDouble();
            double mean = diceBySite.get(site).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(recorded, mean, 1e-5, site + ": the mean of its samples' Dice is the Dice the round recorded");
            assertEquals(emptyBySite.getOrDefault(site, 0), s.getAsJsonObject("evaluationMetrics").get("empty")
                    .getAsInt(), site + ": the round counted the samples left out as empty");
        }
        double unseen = diceBySite.get("site-3").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertEquals(root.getAsJsonObject("final").getAsJsonObject("evaluation").get("dice").getAsDouble(), unseen,
                1e-5);

        Table compare = (Table) shell.execute("fedfms:compare " + name);
        assertTrue(compare.headers().containsAll(List.of("dice", "iou", "hd95", "trainable params", "up/round",
                "down/round", "s/round")), compare.headers().toString());
        assertEquals(Long.toString(f.globalParameters(name).parameterCount()),
                compare.column("trainable params").get(0));

        // three pictures: the worst, the median and the best image with foreground by Dice
        shell.execute("fedfms:export --overlays 3 --sites site-3 " + name + " " + tmp.resolve("three"));
        List<Double> unseenSorted = diceBySite.get("site-3").stream().sorted().toList();
        List<String> expectedThree = new ArrayList<>();
        String[] roles = {"worst", "median", "best"};
        int[] ranks = {0, (unseenSorted.size() - 1) / 2, unseenSorted.size() - 1};
        for (int k = 0; k < 3; k++) {
            expectedThree.add("site-3_" + roles[k] + "_");
            expectedThree.add(String.format(java.util.Locale.ROOT, "_dice%.4f.png", unseenSorted.get(ranks[k])));
        }
        try (Stream<Path> files = Files.list(tmp.resolve("three/overlays"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted(java.util.Comparator.comparing(
                    n -> List.of("worst", "median", "best").indexOf(n.split("_")[1]))).toList();
            assertEquals(3, names.size(), names.toString());
            for (int k = 0; k < 3; k++) {
                assertTrue(names.get(k).startsWith(expectedThree.get(2 * k))
                        && names.get(k).endsWith(expectedThree.get(2 * k + 1)), names + " vs " + expectedThree);
            }
        }

        String none = shell.execute("fedfms:export --overlays 0 " + name + " " + tmp.resolve("none")).toString();
        assertTrue(none.contains("0 PNG overlays"), none);
        assertEquals(lines.size(), Files.readAllLines(tmp.resolve("none/samples.csv")).size());
        shell.execute("fedfms:export --overlays 0 --split test --sites site-1 " + name + " " + tmp.resolve("one"));
        assertTrue(shell.output().contains("[" + name + "] export: site site-1, "
                + data.site("site-1").orElseThrow().test().size() + " test samples, 0 overlays"), shell.output());
        List<String> oneLines = Files.readAllLines(tmp.resolve("one/samples.csv"));
        assertEquals(1 + data.site("site-1").orElseThrow().test().size(), oneLines.size(), oneLines.toString());
        assertTrue(oneLines.subList(1, oneLines.size()).stream().allMatch(l -> l.startsWith(name + ",site-1,test,")),
                oneLines.toString());
        String unknown = shell.error("fedfms:export --sites site-9 " + name + " " + tmp.resolve("bad"));
        assertTrue(unknown.contains("--sites: dataset") && unknown.contains("has no site site-9 (sites: site-1, "
                + "site-2, site-3)"), unknown);
        String bad = shell.error("fedfms:export --overlays -1 " + name + " " + tmp.resolve("bad"));
        assertTrue(bad.contains("--overlays: '-1' is not a whole number of at least 0"), bad);
        String split = shell.error("fedfms:export --split holdout " + name + " " + tmp.resolve("bad"));
        assertTrue(split.contains("--split: 'holdout' is not evaluated, train, validation or test"), split);
    }

    /** White pixels in the first {@code rows} rows. */
    private static int white(BufferedImage png, int rows) {
        int n = 0;
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                n += (png.getRGB(x, y) & 0xffffff) == 0xffffff ? 1 : 0;
            }
        }
        return n;
    }

    private FederatedDataset synthetic(Map<String, Object> settings) throws Exception {
        DatasetLoader loader = shell.federation().loaders().stream().filter(l -> l.id().equals("synthetic")).findFirst()
                .orElseThrow();
        return loader.load(settings);
    }

    private static Sample sample(FederatedDataset data, String site, String id) {
        SiteData s = data.site(site).orElseThrow();
        List<Sample> all = new ArrayList<>(s.train());
        all.addAll(s.validation());
        all.addAll(s.test());
        return all.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id));
    }
}
