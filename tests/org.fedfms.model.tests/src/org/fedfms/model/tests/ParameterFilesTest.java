package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.io.NpyArray;
import org.fedfms.model.io.ParameterFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight files: safetensors and npz round trips, files written by NumPy, and bad files. */
class ParameterFilesTest {

    @TempDir
    Path dir;

    private static ParameterSet sample() {
        return ParameterSet.builder()
                .add("image_encoder.blocks.0.attn.qkv.weight", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f})
                .add("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix", new int[] {2, 1}, new float[] {0.5f, -0.25f})
                .add("scalar", new int[] {}, new float[] {7})
                .build();
    }

    @Test
    void safetensorsRoundTripKeepsNamesOrderShapesAndBits() throws IOException {
        Path f = dir.resolve("w.safetensors");
        ParameterFiles.write(f, sample());
        ParameterSet back = ParameterFiles.read(f);
        assertEquals(sample().names(), back.names());
        assertTrue(sample().layoutDifferences(back).isEmpty());
        for (String n : sample().names()) {
            assertArrayEquals(sample().get(n).values(), back.get(n).values(), 0f);
        }
        byte[] bytes = Files.readAllBytes(f);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"dtype\":\"F32\"") && header.contains("\"data_offsets\":[0,24]"), header);
        assertEquals(8 + headerLength + 4 * 9, bytes.length);
    }

    @Test
    void npzRoundTripAndNumpysOwnFiles() throws IOException {
        Path f = dir.resolve("w.npz");
        ParameterFiles.write(f, sample());
        ParameterSet back = ParameterFiles.read(f);
        assertEquals(sample().names(), back.names());
        assertEquals(0.0, sample().maxAbsDifference(back));

        ParameterSet numpy = ParameterFiles.read(Fixtures.copy("numpy.npz", dir));
        assertEquals(List.of("a.weight", "b", "c"), numpy.names());
        assertArrayEquals(new int[] {2, 3}, numpy.get("a.weight").shape());
        assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, numpy.get("a.weight").values(), 0f);
        assertArrayEquals(new float[] {1.5f, -2.25f, 1e-3f, 3e5f}, numpy.get("b").values(), 0f);
        assertArrayEquals(new float[] {0.33300781f, -65504f}, numpy.get("c").values(), 0f);
    }

    @Test
    void halfPrecisionSafetensorsAreWidenedToFloat() throws IOException {
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        ByteBuffer bb = ByteBuffer.allocate(8 + json.length() + 6).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(json.length()).put(json.getBytes(StandardCharsets.UTF_8));
        bb.putShort((short) 0x3c00).putShort((short) 0xc500).putShort((short) 0x4049);
        Path f = dir.resolve("half.safetensors");
        Files.write(f, bb.array());
        ParameterSet s = ParameterFiles.read(f);
        assertArrayEquals(new float[] {1f, -5f}, s.get("h").values(), 0f);
        assertEquals(3.140625f, s.get("b").values()[0], 0f);
    }

    @Test
    void unreadableFilesAreNamedInTheError() throws IOException {
        Path pth = dir.resolve("sam_vit_b.pth");
        Files.write(pth, new byte[] {0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6});
        IOException e = assertThrows(IOException.class, () -> ParameterFiles.read(pth));
        assertTrue(e.getMessage().contains("sam_vit_b.pth"), e.getMessage());
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "hello world, not tensors");
        e = assertThrows(IOException.class, () -> ParameterFiles.read(junk));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
        assertThrows(IOException.class, () -> ParameterFiles.write(dir.resolve("w.bin"), sample()));
    }

    @Test
    void npyArraysHaveAlignedHeadersAndReadBackExactly() throws IOException {
        Path f = dir.resolve("a.npy");
        new NpyArray(new int[] {5}, new float[] {1, 2, 3, 4, 5}).write(f);
        byte[] bytes = Files.readAllBytes(f);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
        assertEquals(new NpyArray(new int[] {5}, new float[] {1, 2, 3, 4, 5}), NpyArray.read(f));
        NpyArray image = NpyArray.read(Fixtures.copy("small_16.npy", dir));
        assertArrayEquals(new int[] {11, 16, 3}, image.shape());
    }
}
