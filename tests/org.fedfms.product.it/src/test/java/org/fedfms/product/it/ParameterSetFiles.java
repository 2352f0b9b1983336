package org.fedfms.product.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads a checkpoint's parameter file ({@code global.fps}) as the federation writes it: magic "FFMSPSET", u32
 * version 1, u32 count, per tensor u16 name length + UTF-8 name + u8 rank + rank × u32 dims, u64 total values,
 * the fp32 values, u32 CRC32 of everything before; little-endian.
 */
final class ParameterSetFiles {

    private ParameterSetFiles() {
    }

    static Map<String, float[]> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("FFMSPSET") || b.getInt() != 1) {
            throw new IOException(file + ": not a FFMSPSET version 1 file");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
            throw new IOException(file + ": CRC32 mismatch");
        }
        int count = b.getInt();
        String[] names = new String[count];
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(name);
            names[i] = new String(name, StandardCharsets.UTF_8);
            int rank = Byte.toUnsignedInt(b.get());
            long size = 1;
            for (int d = 0; d < rank; d++) {
                size *= Integer.toUnsignedLong(b.getInt());
            }
            sizes[i] = Math.toIntExact(size);
        }
        long total = b.getLong();
        if (total != Arrays.stream(sizes).asLongStream().sum()) {
            throw new IOException(file + ": " + total + " values but the shapes hold a different number");
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[sizes[i]];
            b.asFloatBuffer().get(v);
            b.position(b.position() + v.length * Float.BYTES);
            tensors.put(names[i], v);
        }
        return tensors;
    }

    /** Largest absolute difference of two parameter sets with the same names and sizes. */
    static double maxAbsDifference(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new AssertionError("different tensors: " + a.keySet() + " vs " + b.keySet());
        }
        double max = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            if (x.length != y.length) {
                throw new AssertionError(e.getKey() + ": " + x.length + " vs " + y.length + " values");
            }
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
        }
        return max;
    }

    static long parameterCount(Map<String, float[]> p) {
        return p.values().stream().mapToLong(v -> v.length).sum();
    }
}
