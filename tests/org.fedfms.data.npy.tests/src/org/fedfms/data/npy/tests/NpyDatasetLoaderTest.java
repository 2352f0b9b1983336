package org.fedfms.data.npy.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

/** The npy loader on arrays written by NumPy (fixtures/make_fixtures.py says what each holds). */
class NpyDatasetLoaderTest {

    private static DatasetLoader loader;

    @TempDir
    Path dir;

    @BeforeAll
    static void findService() {
        loader = TestServices.await(NpyDatasetLoaderTest.class, DatasetLoader.class, "(id=npy)", 10_000);
    }

    @BeforeEach
    void fixtures() throws IOException {
        BundleFixtures.copyTo(NpyDatasetLoaderTest.class, dir);
    }

    private Map<String, Object> settings(String root, Object... kv) {
        return LoaderSamples.settings(dir.resolve(root), kv);
    }

    private static List<Sample> all(SiteData s) {
        List<Sample> l = new ArrayList<>(LoaderSamples.all(s));
        l.sort(Comparator.comparing(Sample::id));
        return l;
    }

    private static Map<String, LabeledImage> byName(SiteData site) throws IOException {
        Map<String, LabeledImage> m = new HashMap<>();
        for (Sample s : all(site)) {
            m.put(s.id(), s.load());
        }
        return m;
    }

    @Test
    void readsTheReferenceLayoutWithCasesAndHalfSizeLabels() throws Exception {
        FederatedDataset ds = loader.load(settings("reference"));
        assertEquals(List.of("BIDMC", "HK"), ds.sites().stream().map(SiteData::siteId).toList());
        List<Sample> bidmc = all(ds.sites().get(0));
        assertEquals(List.of("Case01.nii.gz0.npy", "Case01.nii.gz1.npy", "Case02.nii.gz0.npy"),
                bidmc.stream().map(Sample::id).toList());
        assertEquals(List.of("Case01", "Case01", "Case02"), bidmc.stream().map(Sample::caseId).toList());
        LabeledImage img = bidmc.get(1).load();
        assertEquals(16, img.height());
        assertEquals(12, img.width());
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 12; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals((3 * r + 5 * c + 40 * ch + 10 + 1) % 256, img.pixels()[(r * 12 + c) * 3 + ch]);
                }
                int lr = r / 2;
                int lc = c / 2;
                assertEquals(lr >= 2 && lr < 6 && lc >= 1 && lc < 4 ? 1 : 0, img.mask()[r * 12 + c], "mask at " + r + ","
                        + c);
            }
        }
        IOException e = assertThrows(IOException.class,
                () -> all(loader.load(settings("reference", "resizeMasks", false)).sites().get(1)).get(0).load());
        assertEquals("HK/data_npy/Case07.nii.gz0.npy is 16x12 (HxW) but its mask HK/label_npy/Case07.nii.gz0.npy is 8x6 "
                + "(set resizeMasks=true to resize it)", e.getMessage());
    }

    @Test
    void splitsKeepReferenceCasesTogether() throws Exception {
        FederatedDataset ds = loader.load(settings("reference", "testFraction", 0.4));
        SiteData bidmc = ds.sites().get(0);
        assertEquals(List.of(), DatasetValidator.splitProblems(bidmc));
        assertEquals(1, bidmc.test().stream().map(Sample::caseId).distinct().count());
    }

    @Test
    void readsEveryDtypeLayoutAndFormatVersion() throws Exception {
        Map<String, LabeledImage> zoo = byName(loader.load(settings("dtypes")).sites().get(0));
        assertEquals(6, zoo.size());
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 10; c++) {
                int i = r * 10 + c;
                String at = " at " + r + "," + c;
                assertEquals((10 * r + c) / 79.0 * 255, zoo.get("f4_gray.npy").pixels()[3 * i], 1e-3, "f4 0..1" + at);
                assertEquals(r >= 4 ? 1 : 0, zoo.get("f4_gray.npy").mask()[i], "bool label" + at);
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(r + c + 100 * ch, zoo.get("f8_chw.npy").pixels()[3 * i + ch], 1e-4, "f8 CHW" + at);
                    assertEquals(30 * r + 3 * c + ch, zoo.get("fortran.npy").pixels()[3 * i + ch], 1e-4, "F order" + at);
                }
                assertEquals(c >= 5 ? 1 : 0, zoo.get("f8_chw.npy").mask()[i], "i8 label" + at);
                assertEquals((r * c - 20 + 20) / 63.0 * 255, zoo.get("i2_v2.npy").pixels()[3 * i], 1e-3, "i2 min-max" + at);
                assertEquals(r == 0 && c == 0 ? 1 : 0, zoo.get("i2_v2.npy").mask()[i], "HxWx1 i4 label" + at);
                assertEquals(r == c ? 1 : 0, zoo.get("fortran.npy").mask()[i], "1xHxW 0/255 label" + at);
                assertEquals(r + c, zoo.get("be_v3.npy").pixels()[3 * i], "big-endian v3" + at);
                assertEquals(25 * r + c, zoo.get("u1_gray.npy").pixels()[3 * i], "uint8 as stored" + at);
                assertEquals(c == 9 ? 1 : 0, zoo.get("u1_gray.npy").mask()[i], "f4 label" + at);
            }
        }
    }

    @Test
    void multiChannelLabelsBecomeNestedClasses() throws Exception {
        FederatedDataset ds = loader.load(settings("multichannel", "classes", 3));
        LabeledImage img = all(ds.sites().get(0)).get(0).load();
        for (int r = 0; r < 16; r++) {
            assertEquals(r < 6 ? 2 : r < 12 ? 1 : 0, img.mask()[r * 16 + 7], "row " + r);
        }
        assertEquals((1 + 2 * 3 + 50 * 2) % 256, img.pixels()[(1 * 16 + 3) * 3 + 2]);
        IOException e = assertThrows(IOException.class,
                () -> all(loader.load(settings("multichannel")).sites().get(0)).get(0).load());
        assertTrue(e.getMessage().endsWith("label_npy/eye1.jpg.npy: 2 label channels need 3 classes, but classes=2"),
                e.getMessage());
    }

    private static void replaceInFile(Path file, String from, String to) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(from), file + " lacks " + from);
        Files.write(file, s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void badArraysAreNamedWithTheirProblemAndAllReportedAtOnce() throws Exception {
        Path zoo = dir.resolve("dtypes/zoo");
        byte[] f4 = Files.readAllBytes(zoo.resolve("data_npy/f4_gray.npy"));
        Files.write(zoo.resolve("data_npy/f4_gray.npy"), Arrays.copyOf(f4, f4.length - 220));
        replaceInFile(zoo.resolve("data_npy/be_v3.npy"), "'descr': '>f4'", "'descr': '<c8'");
        Files.writeString(zoo.resolve("data_npy/text.npy"), "this is not an array");
        Files.copy(zoo.resolve("label_npy/u1_gray.npy"), zoo.resolve("label_npy/text.npy"));
        Files.delete(zoo.resolve("label_npy/u1_gray.npy"));
        Files.copy(dir.resolve("multichannel/fundus/label_npy/eye1.jpg.npy"), zoo.resolve("label_npy/fortran.npy"),
                StandardCopyOption.REPLACE_EXISTING);

        DatasetException listing = assertThrows(DatasetException.class, () -> loader.load(settings("dtypes")));
        assertEquals(List.of("zoo/data_npy/u1_gray.npy: no mask named 'u1_gray.*' in zoo/label_npy"), listing.problems());

        FederatedDataset ds = loader.load(settings("dtypes", "skipBad", true, "classes", 3));
        String lines = String.join("\n", ds.skipped());
        assertEquals(5, ds.skipped().size(), lines);
        assertTrue(lines.contains("zoo/data_npy/f4_gray.npy: truncated: shape (8, 10) of <f4 needs 320 data bytes, the file "
                + "has 100"), lines);
        assertTrue(lines.contains("zoo/data_npy/be_v3.npy: NumPy dtype '<c8' is not supported"), lines);
        assertTrue(lines.contains("zoo/data_npy/text.npy: not a NumPy .npy file"), lines);
        assertTrue(lines.contains("zoo/data_npy/u1_gray.npy: no mask named"), lines);
        assertTrue(lines.contains("zoo/data_npy/fortran.npy is 8x10 (HxW) but its mask zoo/label_npy/fortran.npy is 8x8"),
                lines);
        assertEquals(List.of("f8_chw.npy", "i2_v2.npy"), all(ds.sites().get(0)).stream().map(Sample::id).toList());
        assertEquals(5, DatasetValidator.validate(ds).problems().size());
    }
}
