package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;

import org.fedfms.api.io.NpyArray;
import org.fedfms.model.io.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images resized as SAM's reference pipeline does (Pillow's bilinear resize), bit for bit. */
class RgbImageTest {

    @TempDir
    Path dir;

    @Test
    void longestSideSizeRoundsHalfUpLikeResizeLongestSide() {
        assertArrayEquals(new int[] {11, 16}, RgbImage.longestSideSize(5, 7, 16));
        assertArrayEquals(new int[] {768, 1024}, RgbImage.longestSideSize(480, 640, 1024));
        assertArrayEquals(new int[] {1024, 683}, RgbImage.longestSideSize(1500, 1000, 1024));
    }

    @Test
    void upscalingMatchesPillow() throws IOException {
        check("small", 16);
    }

    @Test
    void antialiasedDownscalingMatchesPillow() throws IOException {
        check("large", 16);
    }

    private void check(String name, int target) throws IOException {
        RgbImage image = RgbImage.read(Fixtures.copy(name + ".png", dir));
        RgbImage resized = image.resizeLongestSide(target);
        NpyArray expected = NpyArray.read(Fixtures.copy(name + "_16.npy", dir));
        assertEquals(expected.shape()[0], resized.height());
        assertEquals(expected.shape()[1], resized.width());
        assertArrayEquals(expected.values(), resized.rgb(), 0f);
    }
}
