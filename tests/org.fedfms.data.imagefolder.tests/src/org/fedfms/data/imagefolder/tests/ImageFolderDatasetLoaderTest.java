package org.fedfms.data.imagefolder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.DatasetValidation;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image folder loader on PNG, BMP, TIFF and JPEG files written by the JDK. */
class ImageFolderDatasetLoaderTest {

    private static final int H = 8;
    private static final int W = 6;

    private static DatasetLoader loader;

    @TempDir
    Path root;

    @BeforeAll
    static void findService() {
        loader = TestServices.await(ImageFolderDatasetLoaderTest.class, DatasetLoader.class, "(id=imagefolder)", 10_000);
    }

    private static int grayValue(int r, int c, int k) {
        return r * 20 + c * 3 + k;
    }

    private static BufferedImage gray(int h, int w, int k) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster ras = img.getRaster();
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                ras.setSample(c, r, 0, grayValue(r, c, k));
            }
        }
        return img;
    }

    private static BufferedImage mask(int h, int w, int fg) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                img.getRaster().setSample(c, r, 0, r < h / 2 ? fg : 0);
            }
        }
        return img;
    }

    private void write(BufferedImage img, String format, String path) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, format, p.toFile()), "no " + format + " writer");
    }

    private static List<Sample> all(SiteData s) {
        List<Sample> l = new ArrayList<>();
        for (DataSplit split : DataSplit.values()) {
            l.addAll(s.split(split));
        }
        l.sort(Comparator.comparing(Sample::id));
        return l;
    }

    private Map<String, Object> settings(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("root", root.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsPngBmpTiffAndJpegWithTheirValues() throws Exception {
        for (int k = 0; k < 3; k++) {
            write(gray(H, W, k), "png", "h1/images/g" + k + ".png");
            write(mask(H, W, 255), "png", "h1/masks/g" + k + ".png");
        }
        BufferedImage rgb = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < W; c++) {
                rgb.setRGB(c, r, (r * 10) << 16 | (c * 10) << 8 | 100);
            }
        }
        write(rgb, "bmp", "h1/images/colour.bmp");
        write(mask(H, W, 1), "png", "h1/masks/colour.png");
        BufferedImage deep = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < W; c++) {
                deep.getRaster().setSample(c, r, 0, r * 1000 + c * 257);
            }
        }
        write(deep, "tiff", "h2/images/deep.tif");
        write(mask(H, W, 1), "tiff", "h2/masks/deep.tiff");
        write(rgb, "jpeg", "h2/images/photo.jpg");
        write(mask(H, W, 255), "png", "h2/masks/photo.png");

        FederatedDataset ds = loader.load(settings("validationFraction", 0, "testFraction", 0));
        assertEquals(List.of("h1", "h2"), ds.sites().stream().map(SiteData::siteId).toList());
        List<Sample> h1 = all(ds.sites().get(0));
        assertEquals(List.of("colour.bmp", "g0.png", "g1.png", "g2.png"), h1.stream().map(Sample::id).toList());
        LabeledImage g1 = h1.get(2).load();
        assertEquals(3, g1.channels());
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < W; c++) {
                int i = r * W + c;
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(grayValue(r, c, 1), g1.pixels()[3 * i + ch], "gray is kept as stored");
                }
                assertEquals(r < H / 2 ? 1 : 0, g1.mask()[i], "0/255 mask is binary");
            }
        }
        LabeledImage colour = h1.get(0).load();
        assertEquals(50, colour.pixels()[3 * (5 * W + 2)]);
        assertEquals(20, colour.pixels()[3 * (5 * W + 2) + 1]);
        assertEquals(100, colour.pixels()[3 * (5 * W + 2) + 2]);
        List<Sample> h2 = all(ds.sites().get(1));
        LabeledImage tiff = h2.get(0).load();
        assertEquals((7 * 1000 + 5 * 257) / 257.0, tiff.pixels()[3 * (7 * W + 5)], 1e-3);
        assertEquals(1, tiff.mask()[0]);
        LabeledImage jpeg = h2.get(1).load();
        assertEquals(50, jpeg.pixels()[3 * (5 * W + 2)], 12, "JPEG is lossy but close");
        assertTrue(DatasetValidator.validate(ds).valid(), DatasetValidator.validate(ds).problems().toString());
    }

    @Test
    void labelMasksBecomeClasses() throws Exception {
        BufferedImage m = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < W; c++) {
                m.getRaster().setSample(c, r, 0, c < 2 ? 0 : c < 4 ? 128 : 255);
            }
        }
        write(gray(H, W, 0), "png", "s/images/a.png");
        write(m, "png", "s/masks/a.png");
        FederatedDataset ds = loader.load(settings("classes", 3, "labelValues", "0,128,255", "testFraction", 0,
                "validationFraction", 0));
        byte[] mask = ds.sites().get(0).train().get(0).load().mask();
        assertEquals(0, mask[0]);
        assertEquals(1, mask[2]);
        assertEquals(2, mask[5]);
        IOException e = assertThrows(IOException.class, () -> loader.load(settings("testFraction", 0,
                "validationFraction", 0)).sites().get(0).train().get(0).load());
        assertTrue(e.getMessage().startsWith("s/masks/a.png: 16 mask pixels have values that are not labels (first: 128 "
                + "at row 0, column 2)"), e.getMessage());
    }

    private void writeBadDataset() throws IOException {
        write(gray(H, W, 0), "png", "bad/images/ok.png");
        write(mask(H, W, 255), "png", "bad/masks/ok.png");
        write(gray(H, W, 0), "png", "bad/images/nomask.png");
        write(mask(H, W, 255), "png", "bad/masks/noimage.png");
        write(gray(H, W, 0), "png", "bad/images/small.png");
        write(mask(H / 2, W, 255), "png", "bad/masks/small.png");
        byte[] junk = new byte[300];
        new Random(1).nextBytes(junk);
        Files.write(root.resolve("bad/images/corrupt.png"), junk);
        write(mask(H, W, 255), "png", "bad/masks/corrupt.png");
        write(gray(H, W, 0), "png", "bad/images/odd.png");
        write(mask(H, W, 77), "png", "bad/masks/odd.png");
        Files.createDirectories(root.resolve("empty/images"));
        Files.createDirectories(root.resolve("empty/masks"));
    }

    @Test
    void badInputNamesFileAndProblemAndEverythingIsReportedAtOnce() throws Exception {
        writeBadDataset();
        DatasetException e = assertThrows(DatasetException.class, () -> loader.load(settings()));
        assertEquals(List.of("bad/masks/noimage.png: no image named 'noimage.*' in bad/images",
                "bad/images/nomask.png: no mask named 'nomask.*' in bad/masks",
                "site empty: no samples"), e.problems());

        FederatedDataset skipped = loader.load(settings("skipBad", true));
        String lines = String.join("\n", skipped.skipped());
        assertEquals(6, skipped.skipped().size(), lines);
        assertTrue(lines.contains("skipped case bad/nomask: bad/images/nomask.png: no mask"), lines);
        assertTrue(lines.contains("skipped case bad/noimage: bad/masks/noimage.png: no image"), lines);
        assertTrue(lines.contains("skipped case bad/small: bad/small.png: bad/images/small.png is 8x6 (HxW) but its mask "
                + "bad/masks/small.png is 4x6"), lines);
        assertTrue(lines.contains("skipped case bad/corrupt: bad/corrupt.png: bad/images/corrupt.png: not an image"),
                lines);
        assertTrue(lines.contains("skipped case bad/odd: bad/odd.png: bad/masks/odd.png: 24 mask pixels have values that "
                + "are not labels (first: 77 at row 0, column 0)"), lines);
        assertTrue(lines.contains("skipped site empty: it has no samples"), lines);
        assertEquals(List.of("ok.png"), all(skipped.sites().get(0)).stream().map(Sample::id).toList());
        DatasetValidation v = DatasetValidator.validate(skipped);
        assertEquals(6, v.problems().size(), "validation reports every problem: " + v.problems());
    }

    @Test
    void missingFoldersAndRootsAreClear() throws Exception {
        DatasetException noRoot = assertThrows(DatasetException.class, () -> loader.load(Map.of()));
        assertTrue(noRoot.getMessage().contains("set root="), noRoot.getMessage());
        DatasetException missing = assertThrows(DatasetException.class,
                () -> loader.load(Map.of("root", root.resolve("nowhere").toString())));
        assertTrue(missing.getMessage().contains("nowhere does not exist"), missing.getMessage());
        write(gray(H, W, 0), "png", "x/pictures/a.png");
        DatasetException folders = assertThrows(DatasetException.class, () -> loader.load(settings()));
        assertTrue(folders.problems().contains("x/images: folder missing"), folders.getMessage());
        assertTrue(folders.problems().contains("x/masks: folder missing"), folders.getMessage());
    }

    @Test
    void casePatternKeepsSlicesOfAPatientTogether() throws Exception {
        for (int p = 0; p < 6; p++) {
            for (int s = 0; s < 3; s++) {
                write(gray(4, 4, s), "png", "site/images/p" + p + "_s" + s + ".png");
                write(mask(4, 4, 1), "png", "site/masks/p" + p + "_s" + s + "_mask.png");
            }
        }
        FederatedDataset ds = loader.load(settings("casePattern", "(p\\d+)_s\\d+", "maskSuffix", "_mask",
                "validationFraction", 0.2, "testFraction", 0.2));
        SiteData site = ds.sites().get(0);
        assertEquals(List.of(), DatasetValidator.splitProblems(site));
        assertEquals(3, site.test().size());
        assertEquals(3, site.validation().size());
        assertEquals(12, site.train().size());
        assertEquals("p" + site.test().get(0).id().charAt(1), site.test().get(0).caseId());
    }

    /** A PNG whose header claims {@code w × h} gray pixels, with a tiny compressed body. */
    private static byte[] pngHeaderOnly(int w, int h) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(z)) {
            d.write(new byte[4096]);
        }
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        crc.update(t);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void aDecompressionBombSaysWhyAndAJpegNamedPngSaysWhatItIs() throws Exception {
        write(gray(H, W, 0), "png", "s/images/ok.png");
        write(mask(H, W, 255), "png", "s/masks/ok.png");
        Files.write(root.resolve("s/images/bomb.png"), pngHeaderOnly(60_000, 60_000));
        write(mask(H, W, 255), "png", "s/masks/bomb.png");
        write(gray(H, W, 0), "jpg", "s/images/photo.png");
        write(mask(H, W, 255), "png", "s/masks/photo.png");
        FederatedDataset ds = loader.load(settings("skipBad", true));
        String lines = String.join("\n", ds.skipped());
        assertEquals(2, ds.skipped().size(), lines);
        assertTrue(lines.contains("s/images/bomb.png: 60000x60000 pixels, more than the 134217728 an image may have "
                + "(a decompression bomb or a mistaken file)"), lines);
        assertTrue(lines.contains("s/images/photo.png: a JPEG file named .png; rename it to the format it holds"), lines);
    }
}
