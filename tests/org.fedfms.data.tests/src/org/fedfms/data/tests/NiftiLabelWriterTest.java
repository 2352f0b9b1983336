package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.fedfms.data.volume.NiftiHeader;
import org.fedfms.data.volume.NiftiLabelWriter;
import org.fedfms.data.volume.NiftiVolume;
import org.fedfms.testing.fixture.BundleFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Label volumes written with their source image's header keep its affine: the sform rows of the written
 * file equal the affine nibabel reads from the source (fixtures/metrics/source_affine.txt, written by
 * make_metrics_fixtures.py).
 */
class NiftiLabelWriterTest {

    @TempDir
    Path dir;

    @Test
    void labelsKeepTheSourceAffineSpacingAndValues() throws Exception {
        BundleFixtures.copyTo(NiftiLabelWriterTest.class, dir);
        Path source = dir.resolve("metrics/source.nii.gz");
        NiftiHeader src = NiftiVolume.readHeader(source, "source");
        byte[] labels = new byte[(int) src.voxels()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 3);
        }
        Path out = dir.resolve("case_pred.nii.gz");
        NiftiLabelWriter.write(source, "source", labels, out);

        NiftiVolume back = NiftiVolume.read(out, "written");
        assertEquals(src.dims(), back.header().dims());
        assertArrayEquals(src.spacing(), back.header().spacing(), 1e-9);
        for (int i = 0; i < labels.length; i += 97) {
            assertEquals(labels[i], back.value(i), "voxel " + i);
        }
        ByteBuffer h;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            h = ByteBuffer.wrap(in.readNBytes(352)).order(ByteOrder.LITTLE_ENDIAN);
        }
        assertEquals(2, h.getShort(254), "sform_code kept (aligned to another file)");
        List<String> affine = Files.readAllLines(dir.resolve("metrics/source_affine.txt"));
        for (int row = 0; row < 3; row++) {
            String[] e = affine.get(row).trim().split("\\s+");
            for (int col = 0; col < 4; col++) {
                assertEquals(Double.parseDouble(e[col]), h.getFloat(280 + 16 * row + 4 * col), 1e-6,
                        "srow " + row + ", " + col);
            }
        }
    }

    @Test
    void aWrongSizeWritesNothing() throws Exception {
        BundleFixtures.copyTo(NiftiLabelWriterTest.class, dir);
        Path out = dir.resolve("bad.nii.gz");
        IOException e = assertThrows(IOException.class,
                () -> NiftiLabelWriter.write(dir.resolve("metrics/source.nii.gz"), "source", new byte[5], out));
        assertTrue(e.getMessage().contains("5 labels do not fill source's grid 24x20x9"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
