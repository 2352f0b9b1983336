package org.fedfms.wire.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.fedfms.api.io.HalfFloats;
import org.fedfms.wire.WireDtype;

/**
 * Writes little-endian fields through one fixed buffer to a stream, keeping a CRC32C of everything
 * written; {@link #finish()} appends the checksum.
 */
public final class ChecksummedOutput {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final OutputStream out;
    private final byte[] buf;
    private final ByteBuffer bb;
    private final CRC32C crc = new CRC32C();
    private int pos;
    private long flushed;

    public ChecksummedOutput(OutputStream out, int bufferBytes) {
        this.out = out;
        this.buf = new byte[Math.max(bufferBytes, 64)];
        this.bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void room(int n) throws IOException {
        if (buf.length - pos < n) {
            flush();
        }
    }

    private void flush() throws IOException {
        crc.update(buf, 0, pos);
        out.write(buf, 0, pos);
        flushed += pos;
        pos = 0;
    }

    public void u8(int v) throws IOException {
        room(1);
        buf[pos++] = (byte) v;
    }

    public void u16(int v) throws IOException {
        room(2);
        bb.putShort(pos, (short) v);
        pos += 2;
    }

    public void i32(int v) throws IOException {
        room(4);
        bb.putInt(pos, v);
        pos += 4;
    }

    public void i64(long v) throws IOException {
        room(8);
        bb.putLong(pos, v);
        pos += 8;
    }

    public void f64(double v) throws IOException {
        room(8);
        bb.putDouble(pos, v);
        pos += 8;
    }

    public void bytes(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            if (pos == buf.length) {
                flush();
            }
            int n = Math.min(b.length - off, buf.length - pos);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
            off += n;
        }
    }

    /** Writes {@code values} converted to {@code dtype}. */
    public void floats(float[] values, WireDtype dtype) throws IOException {
        int size = dtype.bytesPerValue();
        int done = 0;
        while (done < values.length) {
            int space = (buf.length - pos) / size;
            if (space == 0) {
                flush();
                continue;
            }
            int n = Math.min(space, values.length - done);
            switch (dtype) {
                case FP32 -> {
                    bb.position(pos);
                    bb.asFloatBuffer().put(values, done, n);
                }
                case FP16 -> {
                    for (int i = 0, p = pos; i < n; i++, p += 2) {
                        SHORT.set(buf, p, HalfFloats.toFp16(values[done + i]));
                    }
                }
                case BF16 -> {
                    for (int i = 0, p = pos; i < n; i++, p += 2) {
                        SHORT.set(buf, p, HalfFloats.toBf16(values[done + i]));
                    }
                }
            }
            pos += n * size;
            done += n;
        }
    }

    /** Writes the checksum of everything so far, flushes, and returns the message's size in bytes. */
    public long finish() throws IOException {
        flush();
        int sum = (int) crc.getValue();
        bb.putInt(0, sum);
        out.write(buf, 0, WireFormat.CHECKSUM_BYTES);
        out.flush();
        return flushed + WireFormat.CHECKSUM_BYTES;
    }
}
