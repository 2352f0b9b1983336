package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.fedfms.api.data.FolderEvaluator;
import org.fedfms.api.data.LabelScores;
import org.fedfms.data.metrics.FolderEvaluation;
import org.fedfms.data.metrics.SegmentationScores;
import org.fedfms.testing.fixture.BundleFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-case metrics against an independent SciPy computation (fixtures/make_metrics_fixtures.py writes the
 * volumes with nibabel and the expected numbers): Dice to 1e-6, distances to 1e-3 mm.
 */
class MetricsTest {

    @TempDir
    Path dir;

    @Test
    void folderEvaluationMatchesScipyPerCaseAndLabel() throws Exception {
        BundleFixtures.copyTo(MetricsTest.class, dir);
        Path m = dir.resolve("metrics");
        FolderEvaluator.Result r = new FolderEvaluation().evaluate(m.resolve("pred"), m.resolve("truth"), List.of());
        List<String> expected = Files.readAllLines(m.resolve("expected.csv"));
        assertEquals(expected.size() - 1, r.records().size(), "one record per case and label 1, 2");
        for (int i = 1; i < expected.size(); i++) {
            String[] e = expected.get(i).split(",");
            FolderEvaluator.CaseRecord c = r.records().get(i - 1);
            String what = e[0] + " label " + e[1];
            assertEquals(e[0], c.caseName(), what);
            assertEquals(Integer.parseInt(e[1]), c.scores().label(), what);
            assertClose(number(e[2]), c.scores().dice(), 1e-6, what + " dice");
            assertClose(number(e[3]), c.scores().iou(), 1e-6, what + " iou");
            assertClose(number(e[4]), c.scores().hd95Mm(), 1e-3, what + " hd95");
            assertClose(number(e[5]), c.scores().assdMm(), 1e-3, what + " assd");
        }
        FolderEvaluator.LabelMean two = r.means().get(1);
        assertEquals(2, two.label());
        assertEquals(2, two.scored());
        assertEquals(1, two.absent(), "label 2 is absent from both volumes of case_03: counted, not averaged");
        assertEquals((0.6060606060606061 + 0.0) / 2, two.dice(), 1e-6);

        Path json = dir.resolve("eval.json");
        new FolderEvaluation().writeJson(r, json);
        String text = Files.readString(json);
        assertTrue(text.contains("{\"case\": \"case_03.nii\", \"label\": 2, \"dice\": null, \"iou\": null, "
                + "\"hd95_mm\": null, \"assd_mm\": null}"), text);
        assertTrue(text.contains("\"2\": {\"cases\": 2, \"absent\": 1, \"dice\": 0.303030"), text);
    }

    private static double number(String s) {
        return s.equals("nan") ? Double.NaN : Double.parseDouble(s);
    }

    private static void assertClose(double expected, double actual, double tolerance, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(expected, actual, tolerance, what);
        }
    }

    @Test
    void emptyInBothIsNotAPerfectScoreAndOneSidedIsTheDiagonal() {
        int[] size = {4, 3, 2};
        double[] spacing = {1, 2, 3};
        int[] empty = new int[24];
        int[] one = new int[24];
        one[5] = 1;
        LabelScores none = SegmentationScores.score(1, empty, empty, size, spacing);
        assertTrue(none.absent() && Double.isNaN(none.iou()) && Double.isNaN(none.hd95Mm())
                && Double.isNaN(none.assdMm()));
        LabelScores missed = SegmentationScores.score(1, empty, one, size, spacing);
        double diagonal = Math.sqrt(4 * 4 + 6 * 6 + 6 * 6);
        assertEquals(0, missed.dice());
        assertEquals(0, missed.iou());
        assertEquals(diagonal, missed.hd95Mm(), 1e-12);
        assertEquals(diagonal, missed.assdMm(), 1e-12);
    }

    @Test
    void percentileIsNumpysLinearInterpolation() {
        // numpy.percentile([1, 2, 3, 4, 10], 95) = 4 + 0.8 * 6 = 8.8
        assertEquals(8.8, SegmentationScores.percentile(new double[] {10, 1, 3, 2, 4}, 95), 1e-12);
        assertEquals(5.0, SegmentationScores.percentile(new double[] {5}, 95), 1e-12);
    }

    @Test
    void pngImagesAreScoredIn2dWithSpacingOne() throws Exception {
        Files.createDirectories(dir.resolve("p"));
        Files.createDirectories(dir.resolve("t"));
        png(dir.resolve("p/slice_1.png"), 2, 2, 6, 6);
        png(dir.resolve("t/slice_1.png"), 3, 2, 7, 6);
        FolderEvaluator.Result r = new FolderEvaluation().evaluate(dir.resolve("p"), dir.resolve("t"), List.of());
        LabelScores s = r.records().get(0).scores();
        assertEquals(1, s.label());
        assertEquals(2.0 * 12 / 32, s.dice(), 1e-12, "4x4 and 4x4 squares overlapping in 3x4");
        // surface distances in pixels: the shifted edges are 1 apart, the rest 0
        assertTrue(s.hd95Mm() == 1.0, "hd95 " + s.hd95Mm());
    }

    @Test
    void everyFolderProblemAtOnce() throws Exception {
        Files.createDirectories(dir.resolve("p"));
        Files.createDirectories(dir.resolve("t"));
        png(dir.resolve("p/a.png"), 0, 0, 2, 2);
        png(dir.resolve("t/b.png"), 0, 0, 2, 2);
        IOException e = assertThrows(IOException.class,
                () -> new FolderEvaluation().evaluate(dir.resolve("p"), dir.resolve("t"), List.of()));
        assertTrue(e.getMessage().startsWith("2 problems:"), e.getMessage());
        assertTrue(e.getMessage().contains("b.png: no prediction"), e.getMessage());
        assertTrue(e.getMessage().contains("a.png: no label file"), e.getMessage());
    }

    /** A 10x10 gray PNG with label 1 in columns x0..x1-1, rows y0..y1-1. */
    private static void png(Path f, int x0, int y0, int x1, int y1) throws IOException {
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                img.getRaster().setSample(x, y, 0, 1);
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }
}
