package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.BundleFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code fedfms:export} on volumetric data (the nifti loader on fixtures/make_fixtures.py's volumes, the
 * sam-tiny after one round through the real djl trainer): {@code cases.csv} holds a row per evaluated case and
 * foreground label whose Dice is the Dice of the case's reassembled volume, the means are printed, and
 * {@code --predictions} writes each case's predicted label volume with its image's affine, which nibabel reads
 * back with the source's affine and the predicted labels (fixtures/check_label_volume.py). The round itself
 * evaluated the cases the same way: each site's round metrics are the means over its cases in cases.csv.
 */
class ExportCasesTest {

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-export-cases-test");
        BundleFixtures.copyTo(ExportCasesTest.class, tmp.resolve("fixtures"));
        FederationService f = shell.federation();
        Shell.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("nifti")), "the djl trainer and the nifti loader");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void exportScoresEachEvaluatedCaseAndWritesItsPredictedVolume() throws Exception {
        String name = "shell-cases";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment --model sam-tiny --adapter msa --trainer djl --dataset nifti --data root="
                + tmp.resolve("fixtures/nifti") + ",emptySliceStride=1,validationFraction=0.5,testFraction=0"
                + " --device cpu --rounds 1 --batch 2 --lr 1e-3 --options localSteps=1 " + name);
        shell.run("fedfms:run " + name);
        assertEquals(1, f.history(name).size());
        Path out = tmp.resolve("out");
        Path volumes = tmp.resolve("predicted");
        Files.writeString(volumes, "a file");
        Exception bad = assertThrows(Exception.class,
                () -> shell.execute("fedfms:export --predictions " + volumes + " " + name + " " + out));
        assertTrue(String.valueOf(bad.getMessage()).contains("--predictions: " + volumes + " is a file, not a directory"),
                String.valueOf(bad.getMessage()));
        assertFalse(Files.exists(out), "nothing written");
        Files.delete(volumes);
        String report = shell.execute("fedfms:export --overlays 0 --predictions " + volumes + " " + name + " " + out)
                .toString();
        assertTrue(report.contains(out.resolve("cases.csv").toString()), report);
        assertTrue(report.contains("per-case metrics (dice, iou, hd95_mm, assd_mm"), report);

        // the expected cases and each one's Dice over its whole volume, from the predictions of its slices
        ExperimentInspector inspector = f.inspect(name);
        TrainingMonitor quiet = new TrainingMonitor() {
            @Override
            public void progress(String siteId, double fraction, String message) {
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
        Map<String, Double> expectedDice = new LinkedHashMap<>();
        Map<String, Long> predictedVoxels = new LinkedHashMap<>();
        for (SiteData site : inspector.sites(List.of())) {
            DataSplit split = inspector.evaluatedSplit(site.siteId());
            assertEquals(DataSplit.VALIDATION, split);
            Map<String, List<String>> byCase = new LinkedHashMap<>();
            for (Sample s : site.split(split)) {
                byCase.computeIfAbsent(s.caseId(), k -> new ArrayList<>()).add(s.id());
            }
            assertFalse(byCase.isEmpty(), site.siteId() + " has validation cases");
            for (Map.Entry<String, List<String>> e : byCase.entrySet()) {
                long both = 0;
                long predicted = 0;
                long truth = 0;
                for (SamplePrediction p : inspector.predict(site, split, e.getValue(), quiet)) {
                    byte[] mask = p.image().mask();
                    for (int i = 0; i < mask.length; i++) {
                        boolean pr = p.predicted()[i] == 1;
                        boolean tr = mask[i] == 1;
                        both += pr && tr ? 1 : 0;
                        predicted += pr ? 1 : 0;
                        truth += tr ? 1 : 0;
                    }
                }
                assertEquals(4, e.getValue().size(), "every slice of case " + e.getKey() + " is a sample");
                expectedDice.put(site.siteId() + "," + e.getKey(),
                        predicted + truth == 0 ? Double.NaN : 2.0 * both / (predicted + truth));
                predictedVoxels.put(e.getKey(), predicted);
            }
        }

        List<String> lines = Files.readAllLines(out.resolve("cases.csv"), StandardCharsets.UTF_8);
        assertEquals("experiment,site,split,case,label,dice,iou,hd95_mm,assd_mm,absent_from_both", lines.get(0));
        assertEquals(1 + expectedDice.size(), lines.size(), lines.toString());
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            assertEquals(name, c[0]);
            assertEquals("validation", c[2]);
            assertEquals("1", c[4], "one foreground label: " + line);
            double dice = Double.parseDouble(c[5]);
            double iou = Double.parseDouble(c[6]);
            Double expected = expectedDice.get(c[1] + "," + c[3]);
            assertTrue(expected != null, "an evaluated case: " + line);
            assertEquals(expected, dice, 1e-9, "Dice over the reassembled volume: " + line);
            assertEquals(dice / (2 - dice), iou, 1e-9, line);
            assertEquals(String.valueOf(Double.isNaN(dice)), c[9], line);
            if (predictedVoxels.get(c[3]) == 0) {
                // absent from the prediction only: the distances are the volume's diagonal in mm
                double diagonal = Math.sqrt(Math.pow(32 * 0.8, 2) * 2 + Math.pow(4 * 2.5, 2));
                assertEquals(diagonal, Double.parseDouble(c[7]), 1e-3, line);
            } else if (!Double.isNaN(dice)) {
                assertTrue(Double.parseDouble(c[7]) >= 0 && Double.parseDouble(c[8]) >= 0, line);
            }
        }
        // the round evaluated the same model per case: each site's round metrics are the means over its cases
        Map<String, List<Double>> caseDice = new LinkedHashMap<>();
        Map<String, List<Double>> caseHd95 = new LinkedHashMap<>();
        Map<String, Integer> empty = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            empty.merge(c[1], Double.isNaN(Double.parseDouble(c[5])) ? 1 : 0, Integer::sum);
            if (!Double.isNaN(Double.parseDouble(c[5]))) {
                caseDice.computeIfAbsent(c[1], k -> new ArrayList<>()).add(Double.parseDouble(c[5]));
                caseHd95.computeIfAbsent(c[1], k -> new ArrayList<>()).add(Double.parseDouble(c[7]));
            }
        }
        for (org.fedfms.api.SiteRoundResult s : f.history(name).get(0).sites()) {
            org.fedfms.api.Metrics m = s.evaluationMetrics();
            assertEquals(empty.get(s.siteId()), m.get("empty").orElseThrow(), 0.0, s.siteId() + ": " + m);
            if (caseDice.containsKey(s.siteId())) {
                assertEquals(caseDice.get(s.siteId()).stream().mapToDouble(Double::doubleValue).average()
                        .orElseThrow(), m.get("dice").orElseThrow(), 1e-6, s.siteId() + ": " + m);
                assertEquals(caseHd95.get(s.siteId()).stream().mapToDouble(Double::doubleValue).average()
                        .orElseThrow(), m.get("hd95_mm").orElseThrow(), 1e-4, s.siteId() + ": " + m);
            }
            assertTrue(m.get("assd_mm").isPresent() && m.get("hd95").isEmpty(), "distances in mm per case: " + m);
        }
        String table = shell.execute("fedfms:metrics " + name).toString();
        assertTrue(table.contains("hd95_mm") && table.contains("assd_mm") && table.contains("empty"), table);

        // the overlay of a volumetric case: its name and its Dice over the whole volume
        shell.execute("fedfms:export --overlays 1 --sites siteA " + name + " " + tmp.resolve("pictured"));
        String[] siteA = lines.stream().filter(l -> l.split(",")[1].equals("siteA")).findFirst().orElseThrow()
                .split(",", -1);
        Path pictured = tmp.resolve("pictured/overlays");
        try (java.util.stream.Stream<Path> files = Files.isDirectory(pictured) ? Files.list(pictured)
                : java.util.stream.Stream.empty()) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(Double.isNaN(Double.parseDouble(siteA[5])) ? List.of() : List.of("siteA_median_" + siteA[3]
                    + String.format(java.util.Locale.ROOT, "_dice%.4f.png", Double.parseDouble(siteA[5]))), names);
        }

        String printed = shell.output();
        assertTrue(printed.contains("[" + name + "] cases: site siteA: 1 case, 1 row, mean dice "), printed);
        assertTrue(printed.contains("[" + name + "] cases: site siteB: 1 case, 1 row, mean dice "), printed);
        assertTrue(printed.contains("[" + name + "] cases: overall: 2 cases, 2 rows, mean dice "), printed);
        assertTrue(printed.contains("NaN left out: label absent from both)"), printed);

        // --predictions: each case's label volume, with its image's header (affine, spacing), its voxels
        // the predicted ones
        for (String caseId : predictedVoxels.keySet()) {
            Path written = volumes.resolve(caseId + ".nii.gz");
            assertTrue(Files.isRegularFile(written), written.toString());
            assertTrue(report.contains(written.toString()), report);
            String site = caseId.startsWith("a") ? "siteA" : "siteB";
            byte[] source = gunzip(tmp.resolve("fixtures/nifti/" + site + "/images/" + caseId + ".nii.gz"));
            byte[] label = gunzip(written);
            assertArrayEquals(Arrays.copyOfRange(source, 76, 108), Arrays.copyOfRange(label, 76, 108),
                    "pixdim of " + caseId);
            assertArrayEquals(Arrays.copyOfRange(source, 252, 348), Arrays.copyOfRange(label, 252, 348),
                    "qform and sform (the affine) of " + caseId);
            ByteBuffer h = ByteBuffer.wrap(label).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(2, h.getShort(70), "uint8 labels");
            assertEquals(32, h.getShort(42));
            assertEquals(4, h.getShort(46));
            int offset = (int) h.getFloat(108);
            assertEquals(offset + 32 * 32 * 4, label.length);
            long foreground = 0;
            for (int i = offset; i < label.length; i++) {
                assertTrue(label[i] == 0 || label[i] == 1, "voxel " + (i - offset) + " of " + caseId);
                foreground += label[i];
            }
            assertEquals(predictedVoxels.get(caseId), foreground, "predicted voxels of " + caseId);
            // nibabel reads the same affine as the source's and exactly these labels
            Path expected = tmp.resolve(caseId + "-expected.raw");
            Files.write(expected, Arrays.copyOfRange(label, offset, label.length));
            String checked = nibabelCheck(tmp.resolve("fixtures/nifti/" + site + "/images/" + caseId + ".nii.gz"),
                    written, expected);
            assertTrue(checked.startsWith("ok " + written + ": shape 32x32x4, labels "), checked);
        }
    }

    /**
     * Runs fixtures/check_label_volume.py with Debian's python3 and nibabel (CI installs python3-nibabel):
     * its one output line, or a failure with what it printed.
     */
    private String nibabelCheck(Path source, Path written, Path expected) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", tmp.resolve("fixtures/check_label_volume.py").toString(),
                source.toString(), written.toString(), expected.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "nibabel check of " + written + ": " + out);
        return out;
    }

    private static byte[] gunzip(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
