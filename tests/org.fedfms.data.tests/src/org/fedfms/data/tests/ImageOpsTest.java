package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.fedfms.data.CaseIds;
import org.fedfms.data.ImageResize;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensityWindow;
import org.fedfms.data.LabelMapping;
import org.junit.jupiter.api.Test;

class ImageOpsTest {

    @Test
    void bilinearUsesHalfPixelCentresLikeOpenCv() {
        float[] src = {0, 10, 20, 30};
        float[] up = ImageResize.bilinear(src, 2, 2, 1, 4, 4);
        assertArrayEquals(new float[] {0, 2.5f, 7.5f, 10}, java.util.Arrays.copyOfRange(up, 0, 4), 1e-5f);
        assertArrayEquals(new float[] {5, 7.5f, 12.5f, 15}, java.util.Arrays.copyOfRange(up, 4, 8), 1e-5f);
        float[] row = {0, 1, 2, 3};
        assertArrayEquals(new float[] {0.5f, 2.5f}, ImageResize.bilinear(row, 1, 4, 1, 1, 2), 1e-6f);
        float[] rgb = {0, 100, 200, 10, 110, 210};
        float[] same = ImageResize.bilinear(rgb, 1, 2, 3, 1, 2);
        assertArrayEquals(rgb, same);
        float[] wide = ImageResize.bilinear(rgb, 1, 2, 3, 1, 4);
        assertArrayEquals(new float[] {0, 100, 200, 2.5f, 102.5f, 202.5f, 7.5f, 107.5f, 207.5f, 10, 110, 210}, wide,
                1e-4f);
    }

    @Test
    void nearestKeepsLabels() {
        byte[] m = {0, 1, 2, 3};
        assertArrayEquals(new byte[] {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}, ImageResize.nearest(m, 2, 2, 4, 4));
        assertArrayEquals(new byte[] {0, 2}, ImageResize.nearest(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 4, 1, 2));
    }

    @Test
    void longestSideKeepsAspectLikeSam() {
        assertArrayEquals(new int[] {768, 1024}, ImageResize.longestSide(480, 640, 1024));
        assertArrayEquals(new int[] {1024, 683}, ImageResize.longestSide(300, 200, 1024));
    }

    @Test
    void intensityWindows() {
        float[] v = new float[101];
        for (int i = 0; i <= 100; i++) {
            v[i] = i;
        }
        IntensityWindow p = IntensityWindow.percentile(v, 10, 90);
        assertEquals(10, p.low(), 1e-9);
        assertEquals(90, p.high(), 1e-9);
        assertEquals(0f, p.apply(5));
        assertEquals(127.5f, p.apply(50), 1e-4f);
        assertEquals(255f, p.apply(1000));
        assertEquals(new IntensityWindow(0, 100), IntensityWindow.minMax(v));
        assertEquals(new IntensityWindow(0, 1), IntensityWindow.auto(new float[] {0, 0.5f, 1}));
        assertEquals(IntensityWindow.BYTE_RANGE, IntensityWindow.auto(new float[] {0, 17, 255}));
        assertEquals(new IntensityWindow(-1000, 3000), IntensityWindow.auto(new float[] {-1000, 0, 3000}));
        assertEquals(new IntensityWindow(-160, 240), IntensityScaling.FIXED.window(v, -160, 240));
        assertEquals(0f, new IntensityWindow(5, 5).apply(5));
        assertThrows(IllegalArgumentException.class, () -> IntensityWindow.percentile(v, 90, 10));
    }

    @Test
    void labelMappings() throws IOException {
        LabelMapping binary = LabelMapping.parse(2, "");
        assertEquals(1, binary.classOf(255));
        assertEquals(1, binary.classOf(1));
        assertEquals(-1, binary.classOf(128));
        assertEquals(-1, binary.classOf(0.5));
        LabelMapping list = LabelMapping.parse(3, "0,128,255");
        assertArrayEquals(new byte[] {0, 1, 2, 0}, list.map(2, 2, i -> new int[] {0, 128, 255, 0}[i], "m.png"));
        assertEquals(1, LabelMapping.parse(2, "nonzero").classOf(42));
        IOException e = assertThrows(IOException.class,
                () -> list.map(2, 3, i -> new int[] {0, 0, 0, 0, 77, 77}[i], "site/masks/m.png"));
        assertEquals("site/masks/m.png: 2 mask pixels have values that are not labels (first: 77 at row 1, column 1); "
                + "expected 0,128,255 (see the classes and labelValues settings)", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> LabelMapping.parse(2, "0,128,255"));
        assertTrue(bad.getMessage().contains("lists 3 values but classes=2"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelMapping.parse(2, "0,x"));
    }

    @Test
    void caseIdsFromPatterns() {
        assertEquals("Case02", CaseIds.of("(.+?)\\.nii(?:\\.gz)?\\d+").apply("Case02.nii.gz12"));
        assertEquals("image.jpg", CaseIds.of("(.+?)\\.nii(?:\\.gz)?\\d+").apply("image.jpg"));
        assertEquals("p7", CaseIds.of("(p\\d+)_.*").apply("p7_slice3"));
        assertEquals("x", CaseIds.of("").apply("x"));
        assertThrows(IllegalArgumentException.class, () -> CaseIds.of("("));
        assertThrows(IllegalArgumentException.class, () -> CaseIds.of("p\\d+"));
        assertEquals("case1", CaseIds.baseName("case1.nii.gz"));
        assertEquals("a.jpg", CaseIds.baseName("a.jpg.npy"));
    }
}
