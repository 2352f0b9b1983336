package org.fedfms.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array read as float32 (from {@code <f4}, {@code <f8}, {@code <f2},
 * {@code |u1}, {@code <i4}, {@code <i8}, {@code |b1}), or written as little-endian float32.
 *
 * @param shape dimensions, C order
 * @param values row-major values
 */
public record NpyArray(int[] shape, float[] values) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public NpyArray {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                    + values.length);
        }
        shape = shape.clone();
    }

    /** Reads a {@code .npy} file. */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads one {@code .npy} array from a stream.
     *
     * @param where the file (and entry) for error messages
     */
    public static NpyArray read(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new IOException(where + ": not a .npy array (bad magic)");
        }
        int major = magic[6];
        int headerLength;
        if (major == 1) {
            byte[] l = in.readNBytes(2);
            headerLength = (l[0] & 0xff) | (l[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] l = in.readNBytes(4);
            headerLength = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new IOException(where + ": unsupported .npy version " + major);
        }
        String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, where, "descr");
        if ("True".equals(group(FORTRAN, header, where, "fortran_order"))) {
            throw new IOException(where + ": Fortran-ordered arrays are not supported; save with C order");
        }
        int[] shape = parseShape(group(SHAPE, header, where, "shape"), where);
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IOException(where + ": array too large (" + count + " values)");
        }
        int n = (int) count;
        Dtype dtype = Dtype.of(descr, where);
        byte[] data = in.readNBytes(Math.multiplyExact(n, dtype.bytes));
        if (data.length != n * dtype.bytes) {
            throw new IOException(where + ": truncated: expected " + (long) n * dtype.bytes + " data bytes, found "
                    + data.length);
        }
        return new NpyArray(shape, dtype.decode(data, n));
    }

    private static String group(Pattern p, String header, String where, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(where + ": .npy header lacks '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String where) throws IOException {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",");
        int count = 0;
        int[] dims = new int[parts.length];
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims[count++] = Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                throw new IOException(where + ": bad shape (" + text + ")");
            }
        }
        return Arrays.copyOf(dims, count);
    }

    /** Element types read. */
    enum Dtype {
        F4(4), F8(8), F2(2), U1(1), B1(1), I4(4), I8(8);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        static Dtype of(String descr, String where) throws IOException {
            switch (descr) {
                case "<f4": return F4;
                case "<f8": return F8;
                case "<f2": return F2;
                case "|u1": return U1;
                case "|b1": return B1;
                case "<i4": return I4;
                case "<i8": return I8;
                default:
                    throw new IOException(where + ": unsupported dtype '" + descr
                            + "' (read: <f4, <f8, <f2, |u1, |b1, <i4, <i8; big-endian is not supported)");
            }
        }

        float[] decode(byte[] data, int n) {
            ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[n];
            switch (this) {
                case F4 -> bb.asFloatBuffer().get(v);
                case F8 -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) bb.getDouble();
                    }
                }
                case F2 -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = HalfFloat.toFloat(bb.getShort());
                    }
                }
                case U1, B1 -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = data[i] & 0xff;
                    }
                }
                case I4 -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = bb.getInt();
                    }
                }
                case I8 -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = bb.getLong();
                    }
                }
            }
            return v;
        }
    }

    /** The {@code .npy} bytes of this array as little-endian float32 (format 1.0, 64-byte aligned header). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(values.length * 4 + 128);
        try {
            write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Writes the {@code .npy} bytes to a stream. */
    public void write(OutputStream out) throws IOException {
        out.write(header(shape));
        ByteBuffer bb = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!bb.hasRemaining()) {
                out.write(bb.array(), 0, bb.position());
                bb.clear();
            }
            bb.putFloat(v);
        }
        out.write(bb.array(), 0, bb.position());
    }

    /** Writes a {@code .npy} file atomically (temporary file, fsync, rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, this::write);
    }

    static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        }
        String dict = String.format(Locale.ROOT, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims);
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        bb.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return bb.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray n && Arrays.equals(shape, n.shape) && Arrays.equals(values, n.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "NpyArray" + Arrays.toString(shape);
    }
}
