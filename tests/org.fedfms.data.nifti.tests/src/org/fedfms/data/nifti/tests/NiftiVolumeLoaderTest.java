package org.fedfms.data.nifti.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.testing.fixture.BundleFixtures;
import org.fedfms.testing.fixture.LoaderSamples;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NIfTI loader on volumes written by nibabel (fixtures/make_fixtures.py): NIfTI-1 and NIfTI-2,
 * plain and gzipped, little and big endian, int16/int32/float32/float64 and scaled uint8; values are
 * checked against what nibabel itself reads back (fixtures/expected.txt).
 */
class NiftiVolumeLoaderTest {

    private static final int NX = 12;
    private static final int NY = 10;
    private static final int NZ = 6;

    private static DatasetLoader loader;

    @TempDir
    Path dir;

    private final Map<String, Map<String, Double>> expected = new HashMap<>();

    @BeforeAll
    static void findService() {
        loader = TestServices.await(NiftiVolumeLoaderTest.class, DatasetLoader.class, "(id=nifti)", 10_000);
    }

    @BeforeEach
    void fixtures() throws IOException {
        BundleFixtures.copyTo(NiftiVolumeLoaderTest.class, dir);
        for (String line : Files.readAllLines(dir.resolve("expected.txt"))) {
            String[] parts = line.trim().split("\\s+");
            Map<String, Double> values = new HashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=");
                if (kv[0].startsWith("v") || kv[0].equals("min") || kv[0].equals("max") || kv[0].equals("sum")) {
                    values.put(kv[0], Double.parseDouble(kv[1]));
                }
            }
            expected.put(parts[0], values);
        }
        assertEquals(5, expected.size());
    }

    private Map<String, Object> settings(String root, Object... kv) {
        return LoaderSamples.settings(dir.resolve(root), kv);
    }

    private static List<Sample> all(SiteData s) {
        List<Sample> l = new ArrayList<>(LoaderSamples.all(s));
        l.sort(Comparator.comparing(Sample::id));
        return l;
    }

    private static List<Sample> all(FederatedDataset ds) {
        List<Sample> l = new ArrayList<>();
        ds.sites().forEach(s -> l.addAll(all(s)));
        return l;
    }

    private static Sample byId(FederatedDataset ds, String id) {
        return all(ds).stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id));
    }

    private static double v(int i, int j, int k) {
        return 3 * i + 7 * j + 50 * k - 40;
    }

    @Test
    void keepsForegroundSlicesAndEveryFifthEmptyOne() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset"));
        assertEquals(List.of("siteA", "siteB", "siteC"), ds.sites().stream().map(SiteData::siteId).toList());
        assertEquals(List.of("case01_z000", "case01_z001", "case01_z002", "case01_z003", "case02_z000", "case02_z002"),
                all(ds.sites().get(0)).stream().map(Sample::id).toList());
        assertEquals(List.of("case01", "case01", "case01", "case01", "case02", "case02"),
                all(ds.sites().get(0)).stream().map(Sample::caseId).toList());
        assertEquals(18, all(ds).size());
        assertEquals(30, all(loader.load(settings("dataset", "emptySliceStride", 1))).size());
        assertEquals(13, all(loader.load(settings("dataset", "emptySliceStride", 0))).size());
        assertTrue(DatasetValidator.validate(ds).valid(), DatasetValidator.validate(ds).problems().toString());
    }

    @Test
    void everyFormatGivesNibabelsValues() throws Exception {
        double lo = -1000;
        double hi = 1000;
        FederatedDataset ds = loader.load(settings("dataset", "emptySliceStride", 1, "intensity", "fixed",
                "windowLow", lo, "windowHigh", hi));
        for (Map.Entry<String, Map<String, Double>> e : expected.entrySet()) {
            String volume = e.getKey().substring(e.getKey().indexOf('/') + 1);
            double sum = 0;
            for (int k = 0; k < NZ; k++) {
                LabeledImage img = byId(ds, volume + "_z00" + k).load();
                assertEquals(NY, img.height());
                assertEquals(NX, img.width());
                for (int p = 0; p < NX * NY; p++) {
                    sum += img.pixels()[3 * p + 1] * (hi - lo) / 255 + lo;
                }
                if (k == 2) {
                    double raw = img.pixels()[3 * (3 * NX + 5)] * (hi - lo) / 255 + lo;
                    assertEquals(e.getValue().get("v532"), raw, 1e-3, e.getKey() + " voxel (5,3,2)");
                }
                if (k == 1) {
                    double raw = img.pixels()[3 * (1 * NX + 1)] * (hi - lo) / 255 + lo;
                    assertEquals(e.getValue().get("v111"), raw, 1e-3, e.getKey() + " voxel (1,1,1)");
                }
            }
            assertEquals(e.getValue().get("sum"), sum, 0.5, e.getKey() + " sum of all voxels");
        }
    }

    @Test
    void percentileAndMinMaxWindowsArePerVolume() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset", "emptySliceStride", 1, "intensity", "minmax"));
        Map<String, Double> c04 = expected.get("siteB/case04");
        LabeledImage k0 = byId(ds, "case04_z000").load();
        assertEquals(0f, k0.pixels()[0], 1e-4, "the volume minimum becomes 0");
        LabeledImage k5 = byId(ds, "case04_z005").load();
        assertEquals(255f, k5.pixels()[3 * (NX * NY - 1)], 1e-3, "the volume maximum becomes 255");
        LabeledImage k2 = byId(ds, "case04_z002").load();
        assertEquals((c04.get("v532") - c04.get("min")) / (c04.get("max") - c04.get("min")) * 255,
                k2.pixels()[3 * (3 * NX + 5)], 1e-3);
        LabeledImage p = byId(loader.load(settings("dataset", "emptySliceStride", 1)), "case01_z000").load();
        assertTrue(p.pixels()[0] == 0f, "percentile 0.5 window clamps the darkest voxel to 0");
    }

    @Test
    void masksAxesAndAdjacentSlices() throws Exception {
        FederatedDataset z = loader.load(settings("dataset", "emptySliceStride", 1, "intensity", "fixed",
                "windowLow", -40, "windowHigh", 306, "adjacentSlices", true));
        LabeledImage k2 = byId(z, "case01_z002").load();
        for (int j = 0; j < NY; j++) {
            for (int i = 0; i < NX; i++) {
                boolean inBox = i >= 3 && i < 8 && j >= 2 && j < 7;
                assertEquals(inBox ? 1 : 0, k2.mask()[j * NX + i], "mask at row " + j + ", column " + i);
            }
        }
        int p = 3 * NX + 5;
        assertEquals((v(5, 3, 1) + 40) / 346 * 255, k2.pixels()[3 * p], 1e-3, "channel 0 is the slice before");
        assertEquals((v(5, 3, 2) + 40) / 346 * 255, k2.pixels()[3 * p + 1], 1e-3);
        assertEquals((v(5, 3, 3) + 40) / 346 * 255, k2.pixels()[3 * p + 2], 1e-3, "channel 2 is the slice after");

        FederatedDataset x = loader.load(settings("dataset", "axis", "x", "emptySliceStride", 1, "intensity", "fixed",
                "windowLow", -40, "windowHigh", 306));
        LabeledImage i5 = byId(x, "case01_x005").load();
        assertEquals(NZ, i5.height());
        assertEquals(NY, i5.width());
        assertEquals((v(5, 3, 2) + 40) / 346 * 255, i5.pixels()[3 * (2 * NY + 3)], 1e-3);
        FederatedDataset y = loader.load(settings("dataset", "axis", "y", "emptySliceStride", 1, "intensity", "fixed",
                "windowLow", -40, "windowHigh", 306));
        LabeledImage j3 = byId(y, "case01_y003").load();
        assertEquals(NZ, j3.height());
        assertEquals(NX, j3.width());
        assertEquals((v(5, 3, 2) + 40) / 346 * 255, j3.pixels()[3 * (2 * NX + 5)], 1e-3);
        assertEquals(1, j3.mask()[2 * NX + 5]);
    }

    @Test
    void splitsByVolumeNeverShareACase() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset", "testFraction", 0.5, "emptySliceStride", 1));
        SiteData a = ds.sites().get(0);
        assertEquals(List.of(), DatasetValidator.splitProblems(a));
        assertEquals(6, a.test().size());
        assertEquals(6, a.train().size());
        assertEquals(1, a.test().stream().map(Sample::caseId).distinct().count());
    }

    @Test
    void badVolumesAreNamedAndReportedAtOnce() throws Exception {
        Path bad = dir.resolve("bad/siteX");
        byte[] plain = Files.readAllBytes(dir.resolve("dataset/siteC/images/case05.nii"));
        Files.write(bad.resolve("images/trunc.nii"), Arrays.copyOf(plain, 1000));
        Files.copy(dir.resolve("dataset/siteC/labels/case05.nii"), bad.resolve("labels/trunc.nii"));
        byte[] gz = Files.readAllBytes(dir.resolve("dataset/siteA/images/case01.nii.gz"));
        for (int i = gz.length / 2; i < gz.length / 2 + 40; i++) {
            gz[i] ^= 0x5A;
        }
        Files.write(bad.resolve("images/corrupt.nii.gz"), gz);
        Files.copy(dir.resolve("dataset/siteA/labels/case01.nii.gz"), bad.resolve("labels/corrupt.nii.gz"));

        DatasetException e = assertThrows(DatasetException.class, () -> loader.load(settings("bad")));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.problems().contains("siteX/labels/badlabel.nii.gz: voxel value 7 at slice 2, row 5, column 4 (z axis) "
                + "is not a label; expected 0..1 or 0/255 (see the classes and labelValues settings)"), e.getMessage());
        assertTrue(e.problems().contains("siteX/images/mismatch.nii.gz is 12x10x6 voxels but its label "
                + "siteX/labels/mismatch.nii.gz is 12x10x5"), e.getMessage());
        assertTrue(e.problems().contains("siteX/images/orphan.nii.gz: no mask named 'orphan.*' in siteX/labels"),
                e.getMessage());

        FederatedDataset ds = loader.load(settings("bad", "skipBad", true));
        String lines = String.join("\n", ds.skipped());
        assertEquals(5, ds.skipped().size(), lines);
        assertTrue(lines.contains("siteX/images/trunc.nii: truncated: the header says 12x10x6 voxels of int32 (2880 bytes "
                + "after offset 544), the file holds 456"), lines);
        assertTrue(lines.contains("siteX/images/corrupt.nii.gz: corrupt gzip data") || lines.contains(
                "siteX/images/corrupt.nii.gz: truncated"), lines);
        assertEquals(List.of("good"), all(ds).stream().map(Sample::caseId).distinct().toList());
        assertEquals(5, DatasetValidator.validate(ds).problems().size());
    }
}
