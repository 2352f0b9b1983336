package org.fedfms.wire.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

import org.fedfms.api.io.HalfFloats;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireFormatException;

/**
 * Reads little-endian fields from a stream through one bounded buffer, keeping a CRC32C of every
 * byte consumed and the position in the message for error messages. The buffer starts small (for the
 * header) and grows only on request ({@link #reserve}) or to hold one field.
 */
public final class ChecksummedInput {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final InputStream in;
    private byte[] buf;
    private ByteBuffer bb;
    private final CRC32C crc = new CRC32C();
    private final long maxBytes;
    private int pos;
    private int limit;
    private int crcMark;
    private long base;

    /**
     * @param initialBytes initial buffer size
     * @param maxBytes the most bytes a message may have
     */
    public ChecksummedInput(InputStream in, int initialBytes, long maxBytes) {
        this.in = in;
        this.buf = new byte[Math.max(initialBytes, 16)];
        this.bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        this.maxBytes = maxBytes;
    }

    /** Grows the buffer to at least {@code bytes}, keeping its content. */
    public void reserve(int bytes) {
        if (bytes > buf.length) {
            crc.update(buf, crcMark, pos - crcMark);
            byte[] b = new byte[bytes];
            System.arraycopy(buf, pos, b, 0, limit - pos);
            base += pos;
            limit -= pos;
            pos = 0;
            crcMark = 0;
            buf = b;
            bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Bytes of the message consumed so far. */
    public long position() {
        return base + pos;
    }

    /**
     * Makes at least {@code need} bytes available after {@code pos}, compacting the buffer first.
     *
     * @return false if the stream ended before
     */
    private boolean refill(int need) throws IOException {
        crc.update(buf, crcMark, pos - crcMark);
        int left = limit - pos;
        System.arraycopy(buf, pos, buf, 0, left);
        base += pos;
        pos = 0;
        crcMark = 0;
        limit = left;
        while (limit < need) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                return false;
            }
            limit += r;
        }
        return true;
    }

    private void require(int n, String what) throws IOException {
        if (position() + n > maxBytes) {
            throw new WireFormatException("message exceeds the limit of " + maxBytes + " bytes at byte "
                    + position() + " (reading " + what + ")");
        }
        if (n > buf.length) {
            reserve(Math.max(n, 2 * buf.length));
        }
        if (limit - pos < n && !refill(n)) {
            throw new WireFormatException("truncated after " + (base + limit) + " bytes while reading " + what
                    + " (at byte " + position() + ")");
        }
    }

    public int u8(String what) throws IOException {
        return buf[take(1, what)] & 0xFF;
    }

    public int u16(String what) throws IOException {
        return bb.getShort(take(2, what)) & 0xFFFF;
    }

    public int i32(String what) throws IOException {
        return bb.getInt(take(4, what));
    }

    public long u32(String what) throws IOException {
        return i32(what) & 0xFFFF_FFFFL;
    }

    public long i64(String what) throws IOException {
        return bb.getLong(take(8, what));
    }

    public double f64(String what) throws IOException {
        return bb.getDouble(take(8, what));
    }

    /** {@code n} bytes; the caller bounds {@code n}. */
    public byte[] bytes(int n, String what) throws IOException {
        int at = take(n, what);
        return Arrays.copyOfRange(buf, at, at + n);
    }

    /** Makes {@code n} bytes available and moves past them; returns where they start in the buffer. */
    private int take(int n, String what) throws IOException {
        require(n, what);
        int at = pos;
        pos += n;
        return at;
    }

    /**
     * Fills {@code dst} with values encoded in {@code dtype}, chunk by chunk.
     *
     * @param tensor name for error messages
     * @param payloadStart the message position where the payload begins
     * @param payloadBytes the size of the whole payload
     */
    public void floats(float[] dst, WireDtype dtype, String tensor, long payloadStart, long payloadBytes)
            throws IOException {
        int size = dtype.bytesPerValue();
        int done = 0;
        while (done < dst.length) {
            if (limit - pos < size && !refill(size)) {
                throw new WireFormatException("truncated after " + (base + limit - payloadStart) + " of "
                        + payloadBytes + " payload bytes (in tensor '" + tensor + "')");
            }
            int n = Math.min(dst.length - done, (limit - pos) / size);
            switch (dtype) {
                case FP32 -> {
                    bb.position(pos);
                    bb.asFloatBuffer().get(dst, done, n);
                }
                case FP16 -> {
                    for (int i = 0, p = pos; i < n; i++, p += 2) {
                        dst[done + i] = HalfFloats.fromFp16((short) SHORT.get(buf, p));
                    }
                }
                case BF16 -> {
                    for (int i = 0, p = pos; i < n; i++, p += 2) {
                        dst[done + i] = HalfFloats.fromBf16((short) SHORT.get(buf, p));
                    }
                }
            }
            pos += n * size;
            done += n;
        }
    }

    /**
     * Fills {@code dst[off, off + len)} with the next bytes, chunk by chunk.
     *
     * @param tensor name for error messages
     * @param payloadStart the message position where the payload begins
     * @param payloadBytes the size of the whole payload
     */
    public void payload(byte[] dst, int off, int len, String tensor, long payloadStart, long payloadBytes)
            throws IOException {
        int done = 0;
        while (done < len) {
            if (limit == pos && !refill(1)) {
                throw new WireFormatException("truncated after " + (base + limit - payloadStart) + " of "
                        + payloadBytes + " payload bytes (in tensor '" + tensor + "')");
            }
            int n = Math.min(len - done, limit - pos);
            System.arraycopy(buf, pos, dst, off + done, n);
            pos += n;
            done += n;
        }
    }

    /** The CRC32C of every byte consumed so far. */
    public int checksum() {
        crc.update(buf, crcMark, pos - crcMark);
        crcMark = pos;
        return (int) crc.getValue();
    }

    /** Whether the stream has no bytes beyond those consumed. */
    public boolean atEnd() throws IOException {
        return limit == pos && in.read() < 0;
    }
}
