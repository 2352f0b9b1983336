package org.fedfms.data.npy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An array read from a NumPy {@code .npy} file (format versions 1, 2 and 3): booleans, signed and
 * unsigned integers of 1 to 8 bytes and floats of 2, 4 and 8 bytes, either byte order, C or Fortran
 * order. Values are held as floats in C (row-major) order.
 *
 * @param shape the array's shape
 * @param dtype the NumPy type string, e.g. {@code <f4}
 * @param values every element in C order
 */
record NpyArray(int[] shape, String dtype, float[] values) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Header facts. */
    record Header(String dtype, boolean fortran, int[] shape, long dataOffset) {

        long count() {
            long n = 1;
            for (int d : shape) {
                n *= d;
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
     * Reads the header of {@code file}.
     *
     * @param shown the file's name in messages
     * @throws IOException naming the file and what is wrong
     */
    static Header header(FileChannel ch, String shown) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, 0, shown, "the NPY preamble");
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
            headerLength = pre.getInt(8) & 0xFFFFFFFFL;
            preamble = 12;
        } else {
            throw new IOException(shown + ": NPY format version " + major + " is not supported (1, 2, 3 are)");
        }
        if (headerLength > 1 << 20) {
            throw new IOException(shown + ": NPY header of " + headerLength + " bytes is implausible");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
        readFully(ch, hb, preamble, shown, "the NPY header");
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
                try {
                    shape[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IOException(shown + ": NPY shape (" + dims + ") is not a tuple of sizes");
                }
            }
        }
        return new Header(normalise(dtype), f.group(1).equals("True"), shape, preamble + headerLength);
    }

    /** Reads the whole array. */
    static NpyArray read(Path file, String shown) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, shown);
            long count = h.count();
            long bytes = count * h.itemSize();
            long available = ch.size() - h.dataOffset();
            if (available != bytes) {
                throw new IOException(shown + ": " + (available < bytes ? "truncated" : "has trailing bytes")
                        + ": shape " + h.shapeText() + " of " + h.dtype() + " needs " + bytes + " data bytes, the file has "
                        + available);
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(shown + ": array of " + count + " elements is too large for one sample");
            }
            ByteBuffer data = ByteBuffer.allocate((int) bytes);
            readFully(ch, data, h.dataOffset(), shown, "the array data");
            data.order(h.dtype().charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            float[] values = decode(data, h.dtype(), (int) count);
            if (h.fortran() && h.shape().length > 1) {
                values = fortranToC(values, h.shape());
            }
            return new NpyArray(h.shape(), h.dtype(), values);
        }
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
                    v[i] = halfToFloat(sb.get(i));
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

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
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

    private static void readFully(FileChannel ch, ByteBuffer into, long position, String shown, String what)
            throws IOException {
        long pos = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, pos);
            if (n < 0) {
                throw new IOException(shown + ": truncated: the file ends inside " + what);
            }
            pos += n;
        }
        into.flip();
    }
}
