package org.fedfms.api.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An array read from a NumPy {@code .npy} file (format versions 1, 2 and 3): booleans, signed and
 * unsigned integers of 1 to 8 bytes and floats of 2, 4 and 8 bytes, either byte order, C or Fortran
 * order. Values are held as floats in C (row-major) order; arrays are written as little-endian float32.
 *
 * @param shape the array's shape
 * @param dtype the NumPy type string, e.g. {@code <f4}
 * @param values every element in C order
 */
public record NpyArray(int[] shape, String dtype, float[] values) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Checks that {@code shape} holds as many elements as {@code values}; keeps a copy of the shape. */
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

    /** A float32 array ({@code <f4}). */
    public NpyArray(int[] shape, float[] values) {
        this(shape, "<f4", values);
    }

    /** Header facts. */
    record Header(String dtype, boolean fortran, int[] shape, long dataOffset) {

        /** The number of elements, saturated at {@link Integer#MAX_VALUE} (more cannot be read anyway). */
        long count() {
            long n = 1;
            for (int d : shape) {
                n = Math.min(n * d, Integer.MAX_VALUE);
            }
            return n;
        }

        int itemSize() {
            return Integer.parseInt(dtype.substring(2));
        }

        String shapeText() {
            return Arrays.toString(shape).replace('[', '(').replace(']', ')');
        }
    }

    /**
     * Reads the header from the start of {@code ch}, leaving {@code ch} at the first data byte.
     *
     * @param shown the file's name in messages
     * @throws IOException naming the file and what is wrong
     */
    private static Header header(ReadableByteChannel ch, String shown) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, shown, "the NPY preamble");
        byte[] magic = new byte[6];
        pre.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(shown + ": not a NumPy .npy file (no \\x93NUMPY magic)");
        }
        int major = pre.get() & 0xFF;
        pre.get();
        long headerLength;
        int preamble;
        if (major == 1) {
            headerLength = pre.getShort(8) & 0xFFFF;
            preamble = 10;
        } else if (major == 2 || major == 3) {
            ByteBuffer high = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, high, shown, "the NPY preamble");
            headerLength = (pre.getShort(8) & 0xFFFF) | (long) (high.getShort(0) & 0xFFFF) << 16;
            preamble = 12;
        } else {
            throw new IOException(shown + ": NPY format version " + major + " is not supported (1, 2, 3 are)");
        }
        if (headerLength > 1 << 20) {
            throw new IOException(shown + ": NPY header of " + headerLength + " bytes is implausible");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
        readFully(ch, hb, shown, "the NPY header");
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(text);
        Matcher f = FORTRAN.matcher(text);
        Matcher s = SHAPE.matcher(text);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(shown + ": NPY header lacks descr, fortran_order or shape: " + text.strip());
        }
        String dtype = d.group(1);
        if (!dtype.matches("[<>|=][biuf?]\\d+") || !supported(dtype)) {
            throw new IOException(shown + ": NumPy dtype '" + dtype + "' is not supported (bool, int8..64, "
                    + "uint8..64, float16/32/64)");
        }
        String dims = s.group(1).trim();
        int[] shape;
        if (dims.isEmpty()) {
            shape = new int[0];
        } else {
            String[] parts = dims.split(",");
            int n = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
            shape = new int[n];
            for (int i = 0; i < n; i++) {
                String p = parts[i].trim();
                try {
                    shape[i] = Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                } catch (NumberFormatException e) {
                    shape[i] = -1;
                }
                if (shape[i] < 0) {
                    throw new IOException(shown + ": NPY shape (" + dims + ") is not a tuple of sizes");
                }
            }
        }
        return new Header(normalise(dtype), f.group(1).equals("True"), shape, preamble + headerLength);
    }

    /** Reads a whole {@code .npy} file, named in messages by its path. */
    public static NpyArray read(Path file) throws IOException {
        return read(file, file.toString());
    }

    /**
     * Reads a whole {@code .npy} file; one with fewer or more data bytes than its header announces is refused.
     *
     * @param shown the file's name in messages
     */
    public static NpyArray read(Path file, String shown) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, shown);
            checkSize(h, shown);
            long bytes = h.count() * h.itemSize();
            long available = ch.size() - h.dataOffset();
            if (available != bytes) {
                throw new IOException(shown + ": " + (available < bytes ? "truncated" : "has trailing bytes")
                        + ": shape " + h.shapeText() + " of " + h.dtype() + " needs " + bytes + " data bytes, the file has "
                        + available);
            }
            return data(ch, h, shown);
        }
    }

    /**
     * Reads one {@code .npy} array from a stream (an entry of an {@code .npz}, for instance), up to its last data byte.
     *
     * @param shown the file (and entry) in messages
     */
    public static NpyArray read(InputStream in, String shown) throws IOException {
        ReadableByteChannel ch = Channels.newChannel(in);
        return data(ch, header(ch, shown), shown);
    }

    private static void checkSize(Header h, String shown) throws IOException {
        if (h.count() * h.itemSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(shown + ": array of shape " + h.shapeText() + " of " + h.dtype()
                    + " is too large to read at once (2 GB at most)");
        }
    }

    private static NpyArray data(ReadableByteChannel ch, Header h, String shown) throws IOException {
        checkSize(h, shown);
        long count = h.count();
        ByteBuffer data = ByteBuffer.allocate((int) (count * h.itemSize()));
        readFully(ch, data, shown, "the array data");
        data.order(h.dtype().charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        float[] values = decode(data, h.dtype(), (int) count);
        if (h.fortran() && h.shape().length > 1) {
            values = fortranToC(values, h.shape());
        }
        return new NpyArray(h.shape(), h.dtype(), values);
    }

    private static float[] decode(ByteBuffer b, String dtype, int n) {
        float[] v = new float[n];
        char kind = dtype.charAt(1);
        int size = Integer.parseInt(dtype.substring(2));
        switch (kind + Integer.toString(size)) {
            case "b1", "?1" -> {
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i) != 0 ? 1f : 0f;
                }
            }
            case "i1" -> {
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i);
                }
            }
            case "u1" -> {
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(i) & 0xFF;
                }
            }
            case "i2" -> {
                java.nio.ShortBuffer sb = b.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = sb.get(i);
                }
            }
            case "u2" -> {
                java.nio.ShortBuffer sb = b.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = sb.get(i) & 0xFFFF;
                }
            }
            case "f2" -> {
                java.nio.ShortBuffer sb = b.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = HalfFloats.fromFp16(sb.get(i));
                }
            }
            case "i4" -> {
                java.nio.IntBuffer ib = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = ib.get(i);
                }
            }
            case "u4" -> {
                java.nio.IntBuffer ib = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = ib.get(i) & 0xFFFFFFFFL;
                }
            }
            case "f4" -> b.asFloatBuffer().get(v);
            case "i8" -> {
                java.nio.LongBuffer lb = b.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = lb.get(i);
                }
            }
            case "u8" -> {
                java.nio.LongBuffer lb = b.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = unsignedLong(lb.get(i));
                }
            }
            default -> {
                java.nio.DoubleBuffer db = b.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    v[i] = (float) db.get(i);
                }
            }
        }
        return v;
    }

    private static float unsignedLong(long x) {
        return x >= 0 ? x : (float) ((x >>> 1) * 2.0 + (x & 1));
    }

    private static float[] fortranToC(float[] f, int[] shape) {
        int nd = shape.length;
        int[] idx = new int[nd];
        long[] fStride = new long[nd];
        fStride[0] = 1;
        for (int k = 1; k < nd; k++) {
            fStride[k] = fStride[k - 1] * shape[k - 1];
        }
        float[] c = new float[f.length];
        for (int i = 0; i < c.length; i++) {
            long src = 0;
            for (int k = 0; k < nd; k++) {
                src += idx[k] * fStride[k];
            }
            c[i] = f[(int) src];
            for (int k = nd - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return c;
    }

    private static boolean supported(String dtype) {
        char kind = dtype.charAt(1);
        int size = Integer.parseInt(dtype.substring(2));
        return switch (kind) {
            case 'b' -> size == 1;
            case '?' -> size == 1;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 2 || size == 4 || size == 8;
            default -> false;
        };
    }

    /** {@code =} (native, little endian here) as {@code <}, booleans as {@code |b1}. */
    private static String normalise(String dtype) {
        char order = dtype.charAt(0) == '=' ? (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? '>' : '<')
                : dtype.charAt(0);
        String rest = dtype.substring(1);
        if (rest.startsWith("?")) {
            rest = "b" + rest.substring(1);
        }
        return order + rest;
    }

    private static void readFully(ReadableByteChannel ch, ByteBuffer into, String shown, String what)
            throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into) < 0) {
                throw new IOException(shown + ": truncated: the file ends inside " + what);
            }
        }
        into.flip();
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

    /** Writes the {@code .npy} bytes (little-endian float32) to a stream. */
    public void write(OutputStream out) throws IOException {
        out.write(float32Header(shape));
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

    /** Writes a {@code .npy} file (little-endian float32) atomically: temporary file, fsync, rename. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeStreamed(file, this::write);
    }

    private static byte[] float32Header(int[] shape) {
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

    /** Arrays are equal when their shapes, types and values are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray n && Arrays.equals(shape, n.shape) && dtype.equals(n.dtype)
                && Arrays.equals(values, n.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + dtype.hashCode()) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "NpyArray" + Arrays.toString(shape) + " " + dtype;
    }
}
