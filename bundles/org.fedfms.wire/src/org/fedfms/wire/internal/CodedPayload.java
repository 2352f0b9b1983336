package org.fedfms.wire.internal;

import java.io.IOException;

import org.fedfms.wire.Quantization;
import org.fedfms.wire.TensorEntry;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireFormatException;

/**
 * Reads the payload of a quantized or top-k tensor (see {@link WireFormat}) into dense fp32 values,
 * refusing indices out of order or range, scales that are negative, NaN or infinite, and codes that
 * name no level.
 */
public final class CodedPayload {

    private static final int CHUNK = 64 * 1024;

    private CodedPayload() {
    }

    /** The dense values of tensor {@code e}, read from {@code r}. */
    public static float[] read(ChecksummedInput r, TensorEntry e, long payloadStart, long payloadBytes)
            throws IOException {
        int elements = (int) e.elementCount();
        int sent = (int) e.sentCount();
        int[] indices = e.sparse() ? indices(r, e, sent, elements, payloadStart, payloadBytes) : null;
        float[] values = new float[sent];
        Quantization q = e.quantization();
        if (q == null) {
            r.floats(values, e.dtype(), e.name(), payloadStart, payloadBytes);
        } else {
            float[] scales = new float[BlockCodec.blocks(sent, e.blockSize())];
            r.floats(scales, WireDtype.FP32, e.name(), payloadStart, payloadBytes);
            for (int b = 0; b < scales.length; b++) {
                if (!(scales[b] >= 0 && scales[b] <= Float.MAX_VALUE)) {
                    throw new WireFormatException("tensor '" + e.name() + "': scale " + b + " is " + scales[b]
                            + " (a scale must be finite and not negative)");
                }
            }
            codes(r, e, q, scales, values, payloadStart, payloadBytes);
        }
        if (indices == null) {
            return values;
        }
        float[] dense = new float[elements];
        for (int i = 0; i < sent; i++) {
            dense[indices[i]] = values[i];
        }
        return dense;
    }

    private static int[] indices(ChecksummedInput r, TensorEntry e, int sent, int elements, long payloadStart,
            long payloadBytes) throws IOException {
        int[] indices = new int[sent];
        byte[] chunk = new byte[Math.min(CHUNK, 4 * sent)];
        long previous = -1;
        for (int done = 0; done < sent;) {
            int n = Math.min(sent - done, chunk.length / 4);
            r.payload(chunk, 0, 4 * n, e.name(), payloadStart, payloadBytes);
            for (int i = 0; i < n; i++) {
                long index = (chunk[4 * i] & 0xFF) | (chunk[4 * i + 1] & 0xFF) << 8 | (chunk[4 * i + 2] & 0xFF) << 16
                        | (chunk[4 * i + 3] & 0xFFL) << 24;
                if (index <= previous || index >= elements) {
                    throw new WireFormatException("tensor '" + e.name() + "': kept index " + (done + i) + " is "
                            + index + " (indices must ascend strictly and stay below " + elements + ")");
                }
                indices[done + i] = (int) index;
                previous = index;
            }
            done += n;
        }
        return indices;
    }

    private static void codes(ChecksummedInput r, TensorEntry e, Quantization q, float[] scales, float[] values,
            long payloadStart, long payloadBytes) throws IOException {
        long total = q.codeBytes(values.length);
        byte[] chunk = new byte[(int) Math.min(CHUNK, total)];
        int perByte = q.bits() == 8 ? 1 : 2;
        int block = e.blockSize();
        int v = 0;
        for (long done = 0; done < total;) {
            int n = (int) Math.min(total - done, chunk.length);
            r.payload(chunk, 0, n, e.name(), payloadStart, payloadBytes);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < perByte && v < values.length; k++, v++) {
                    int code = perByte == 1 ? chunk[i] & 0xFF : (chunk[i] >> (4 * k)) & 0xF;
                    if (code >= q.levelCount()) {
                        throw new WireFormatException("tensor '" + e.name() + "': code " + code + " of value " + v
                                + " names no " + q + " level (there are " + q.levelCount() + ")");
                    }
                    values[v] = q.level(code) * scales[v / block];
                }
                if (perByte == 2 && v == values.length && (values.length & 1) == 1 && (chunk[i] & 0xF0) != 0) {
                    throw new WireFormatException("tensor '" + e.name() + "': the unused half of its last code byte "
                            + "is not 0");
                }
            }
            done += n;
        }
    }
}
