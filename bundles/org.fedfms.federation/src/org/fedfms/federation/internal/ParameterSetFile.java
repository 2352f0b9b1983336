package org.fedfms.federation.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.io.AtomicFiles;

/**
 * The checkpoint file format of a {@link ParameterSet}, self-describing and little-endian:
 *
 * <pre>
 * magic    8 bytes  "FFMSPSET"
 * version  u32      1
 * count    u32      number of tensors
 * count ×  u16 name length, UTF-8 name, u8 rank, rank × u32 dimensions
 * values   u64      total number of values, then every tensor's fp32 values in order, row-major
 * crc      u32      CRC32 of every byte before it
 * </pre>
 *
 * Readers check the magic, version, sizes against the file length and the CRC before returning anything.
 */
public final class ParameterSetFile {

    private static final byte[] MAGIC = "FFMSPSET".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int CHUNK = 1 << 20;

    private ParameterSetFile() {
    }

    /** Writes {@code parameters} to {@code file} atomically (temp file, fsync, rename). */
    public static void write(Path file, ParameterSet parameters) throws IOException {
        AtomicFiles.write(file, ch -> writeTo(ch, parameters));
    }

    /** Writes {@code parameters} in this format at the channel's position. */
    public static void writeTo(FileChannel ch, ParameterSet parameters) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer header = header(parameters);
        put(ch, header, crc);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : parameters.tensors()) {
            float[] v = t.values();
            int i = 0;
            while (i < v.length) {
                int n = Math.min(v.length - i, buf.remaining() / Float.BYTES);
                buf.asFloatBuffer().put(v, i, n);
                buf.position(buf.position() + n * Float.BYTES);
                i += n;
                if (buf.remaining() < Float.BYTES) {
                    buf.flip();
                    put(ch, buf, crc);
                    buf.clear();
                }
            }
        }
        buf.flip();
        put(ch, buf, crc);
        ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).flip();
        AtomicFiles.writeFully(ch, trailer);
    }

    private static ByteBuffer header(ParameterSet parameters) {
        List<byte[]> names = new ArrayList<>();
        int size = MAGIC.length + 4 + 4 + 8;
        for (Tensor t : parameters.tensors()) {
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            if (name.length > 0xFFFF) {
                throw new IllegalArgumentException("tensor name longer than 65535 bytes: " + t.name().substring(0, 80));
            }
            if (t.rank() > 0xFF) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has rank " + t.rank() + " > 255");
            }
            names.add(name);
            size += 2 + name.length + 1 + 4 * t.rank();
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(parameters.tensorCount());
        int i = 0;
        for (Tensor t : parameters.tensors()) {
            byte[] name = names.get(i++);
            b.putShort((short) name.length).put(name).put((byte) t.rank());
            for (int d : t.shape()) {
                b.putInt(d);
            }
        }
        b.putLong(parameters.parameterCount());
        return b.flip();
    }

    private static void put(FileChannel ch, ByteBuffer b, CRC32 crc) throws IOException {
        crc.update(b.duplicate());
        AtomicFiles.writeFully(ch, b);
    }

    /**
     * Reads a parameter set written by {@link #write}.
     *
     * @throws IOException naming the file and what is wrong with it (not this format, truncated, bad CRC)
     */
    public static ParameterSet read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, ch).read();
        }
    }

    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final long length;
        private final CRC32 crc = new CRC32();
        private long offset;

        Reader(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.length = ch.size();
        }

        ParameterSet read() throws IOException {
            byte[] magic = bytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw bad("not a FedFMS parameter file (magic " + new String(magic, StandardCharsets.ISO_8859_1) + ")");
            }
            int version = buffer(4).getInt();
            if (version != VERSION) {
                throw bad("format version " + version + " is not supported (this build reads version " + VERSION + ")");
            }
            int count = buffer(4).getInt();
            if (count < 0 || count > (length - offset) / 4) {
                throw bad("implausible tensor count " + Integer.toUnsignedString(count));
            }
            List<String> names = new ArrayList<>(count);
            List<int[]> shapes = new ArrayList<>(count);
            long total = 0;
            for (int i = 0; i < count; i++) {
                int nameLength = Short.toUnsignedInt(buffer(2).getShort());
                String name = new String(bytes(nameLength), StandardCharsets.UTF_8);
                int rank = Byte.toUnsignedInt(buffer(1).get());
                ByteBuffer dims = buffer(4 * rank);
                int[] shape = new int[rank];
                long n = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = dims.getInt();
                    if (shape[d] < 0) {
                        throw bad("tensor '" + name + "' has a negative dimension " + Arrays.toString(shape));
                    }
                    n *= shape[d];
                    if (n > Integer.MAX_VALUE - 8) {
                        throw bad("tensor '" + name + "' is too large");
                    }
                }
                names.add(name);
                shapes.add(shape);
                total += n;
            }
            long declared = buffer(8).getLong();
            if (declared != total) {
                throw bad("header declares " + declared + " values but its tensors hold " + total);
            }
            long expected = offset + total * Float.BYTES + 4;
            if (length != expected) {
                throw bad((length < expected ? "truncated" : "has trailing bytes") + ": " + length
                        + " bytes, the header describes " + expected);
            }
            ParameterSet.Builder b = ParameterSet.builder();
            List<float[]> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int n = 1;
                for (int d : shapes.get(i)) {
                    n *= d;
                }
                float[] v = new float[n];
                floats(v);
                values.add(v);
            }
            long computed = crc.getValue();
            int stored = ByteBuffer.wrap(rawBytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if ((int) computed != stored) {
                throw bad("CRC32 mismatch (stored " + Integer.toHexString(stored) + ", computed "
                        + Long.toHexString(computed) + "): the file is corrupt");
            }
            for (int i = 0; i < count; i++) {
                try {
                    b.add(Tensor.of(names.get(i), shapes.get(i), values.get(i)));
                } catch (IllegalArgumentException e) {
                    throw bad(e.getMessage());
                }
            }
            return b.build();
        }

        private void floats(float[] v) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, (long) v.length * Float.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            while (i < v.length) {
                int n = Math.min(v.length - i, CHUNK / Float.BYTES);
                buf.clear().limit(n * Float.BYTES);
                fill(buf);
                buf.flip();
                crc.update(buf.duplicate());
                buf.asFloatBuffer().get(v, i, n);
                i += n;
            }
        }

        private ByteBuffer buffer(int n) throws IOException {
            return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        }

        private byte[] bytes(int n) throws IOException {
            byte[] a = rawBytes(n);
            crc.update(a);
            return a;
        }

        private byte[] rawBytes(int n) throws IOException {
            if (offset + n > length) {
                throw bad("truncated at byte " + offset + " (" + length + " bytes)");
            }
            ByteBuffer b = ByteBuffer.allocate(n);
            fill(b);
            return b.array();
        }

        private void fill(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                int r = ch.read(b, offset);
                if (r < 0) {
                    throw new EOFException(file + ": truncated at byte " + offset);
                }
                offset += r;
            }
        }

        private IOException bad(String what) {
            return new IOException(file + ": " + what);
        }
    }
}
