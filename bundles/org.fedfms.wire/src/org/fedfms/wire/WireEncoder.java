package org.fedfms.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.fedfms.api.Tensor;
import org.fedfms.wire.internal.BlockCodec;
import org.fedfms.wire.internal.ChecksummedOutput;
import org.fedfms.wire.internal.WireFormat;

/**
 * Writes {@link WireMessage}s to streams in the FedFMS wire format, through one bounded buffer: the
 * message is never held as a whole in memory. Immutable and safe for concurrent use.
 */
public final class WireEncoder {

    /** Default size of the buffer between the tensors and the stream. */
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    private final Function<? super Tensor, TensorCoding> codingOf;
    private final int bufferBytes;

    private WireEncoder(Function<? super Tensor, TensorCoding> codingOf, int bufferBytes) {
        this.codingOf = codingOf;
        this.bufferBytes = bufferBytes;
    }

    /** Every tensor as fp32 (exact). */
    public static WireEncoder fp32() {
        return of(WireDtype.FP32);
    }

    /** Every tensor in {@code dtype}. */
    public static WireEncoder of(WireDtype dtype) {
        Objects.requireNonNull(dtype, "dtype");
        TensorCoding coding = TensorCoding.of(dtype);
        return new WireEncoder(t -> coding, DEFAULT_BUFFER_BYTES);
    }

    /** Every tensor with {@code coding} (e.g. int8 blockwise, or top-k). */
    public static WireEncoder coded(TensorCoding coding) {
        Objects.requireNonNull(coding, "coding");
        return new WireEncoder(t -> coding, DEFAULT_BUFFER_BYTES);
    }

    /** Each tensor with the coding {@code codingOf} chooses for it. */
    public static WireEncoder perTensorCoding(Function<? super Tensor, TensorCoding> codingOf) {
        Objects.requireNonNull(codingOf, "codingOf");
        return new WireEncoder(codingOf, DEFAULT_BUFFER_BYTES);
    }

    /** Each tensor in the dtype {@code dtypeOf} chooses for it (e.g. fp32 for norms, bf16 for the rest). */
    public static WireEncoder perTensor(Function<? super Tensor, WireDtype> dtypeOf) {
        Objects.requireNonNull(dtypeOf, "dtypeOf");
        return new WireEncoder(t -> TensorCoding.of(Objects.requireNonNull(dtypeOf.apply(t),
                "no dtype chosen for " + t.name())), DEFAULT_BUFFER_BYTES);
    }

    /** This encoder with another buffer size (at least 64 bytes). */
    public WireEncoder withBufferBytes(int bytes) {
        if (bytes < 64) {
            throw new IllegalArgumentException("buffer of " + bytes + " bytes is too small (at least 64)");
        }
        return new WireEncoder(codingOf, bytes);
    }

    /**
     * Writes {@code message} to {@code out} and flushes it (does not close it).
     *
     * @return the number of bytes written, as {@link #encodedSize(WireMessage)} predicts
     * @throws IllegalArgumentException if a name is longer than {@value WireLimits#MAX_STRING_BYTES}
     *     UTF-8 bytes, a tensor has more than {@value WireLimits#MAX_RANK} dimensions or the message has
     *     more than {@value WireLimits#MAX_STRING_BYTES} metrics
     */
    public long encode(WireMessage message, OutputStream out) throws IOException {
        WireHeader header = header(message);
        ChecksummedOutput w = new ChecksummedOutput(out, (int) Math.min(bufferBytes, header.messageBytes()));
        w.bytes(WireFormat.MAGIC);
        w.u16(WireFormat.VERSION);
        w.u16(0);
        w.u8(message.kind().code());
        w.bytes(string(message.experimentId(), "experiment id"));
        w.i32(message.round());
        w.bytes(string(message.siteId(), "site id"));
        w.i64(message.sampleCount());
        Map<String, Double> metrics = message.metrics().values();
        w.u16(metrics.size());
        for (Map.Entry<String, Double> m : metrics.entrySet()) {
            w.bytes(string(m.getKey(), "metric name"));
            w.f64(m.getValue());
        }
        w.i32(header.tensors().size());
        for (TensorEntry e : header.tensors()) {
            w.bytes(string(e.name(), "tensor name"));
            if (e.quantization() == null) {
                w.u8(e.dtype().code() | (e.sparse() ? WireFormat.SPARSE_BIT : 0));
            } else {
                w.u8(e.quantization().code() | (e.sparse() ? WireFormat.SPARSE_BIT : 0));
                w.i32(e.blockSize());
            }
            if (e.sparse()) {
                w.i32((int) e.nonZeros());
            }
            int[] shape = e.shape();
            w.u8(shape.length);
            for (int d : shape) {
                w.i32(d);
            }
        }
        int i = 0;
        for (Tensor t : message.parameters().tensors()) {
            TensorEntry e = header.tensors().get(i++);
            if (e.plain()) {
                w.floats(t.values(), e.dtype());
            } else {
                writeCoded(w, BlockCodec.code(t.name(), t.values(), codingOf.apply(t)), e);
            }
        }
        return w.finish();
    }

    private static void writeCoded(ChecksummedOutput w, BlockCodec.Coded c, TensorEntry e) throws IOException {
        if (c.indices() != null) {
            for (int index : c.indices()) {
                w.i32(index);
            }
        }
        if (c.values() != null) {
            w.floats(c.values(), e.dtype());
        } else {
            w.floats(c.scales(), WireDtype.FP32);
            w.bytes(c.codes());
        }
    }

    /**
     * The header a decoder will read for {@code message} encoded by this encoder, including its exact
     * size in bytes (e.g. for a Content-Length).
     */
    public WireHeader header(WireMessage message) {
        if (message.metrics().values().size() > WireLimits.MAX_STRING_BYTES) {
            throw new IllegalArgumentException(message.metrics().values().size() + " metrics are more than the "
                    + "wire format holds (" + WireLimits.MAX_STRING_BYTES + ")");
        }
        long bytes = WireFormat.MAGIC.length + 2 + 2 + 1;
        bytes += string(message.experimentId(), "experiment id").length + 4;
        bytes += string(message.siteId(), "site id").length + 8;
        bytes += 2;
        for (String name : message.metrics().values().keySet()) {
            bytes += string(name, "metric name").length + 8;
        }
        bytes += 4;
        List<TensorEntry> entries = new ArrayList<>(message.parameters().tensorCount());
        for (Tensor t : message.parameters().tensors()) {
            if (t.rank() > WireLimits.MAX_RANK) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has rank " + t.rank()
                        + ", more than the wire format holds (" + WireLimits.MAX_RANK + ")");
            }
            TensorCoding coding = Objects.requireNonNull(codingOf.apply(t), "no coding chosen for " + t.name());
            TensorEntry e = TensorEntry.of(t.name(), t.shape(), coding);
            entries.add(e);
            bytes += string(t.name(), "tensor name").length + 2 + 4L * t.rank() + e.payloadBytes()
                    + (e.quantization() == null ? 0 : 4) + (e.sparse() ? 4 : 0);
        }
        bytes += WireFormat.CHECKSUM_BYTES;
        return new WireHeader(WireFormat.VERSION, message.experimentId(), message.round(), message.siteId(),
                message.kind(), message.sampleCount(), message.metrics(), entries, bytes);
    }

    /** Size in bytes of {@code message} encoded by this encoder. */
    public long encodedSize(WireMessage message) {
        return header(message).messageBytes();
    }

    /** A length-prefixed UTF-8 string. */
    private static byte[] string(String s, String what) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > WireLimits.MAX_STRING_BYTES) {
            throw new IllegalArgumentException(what + " of " + utf8.length + " UTF-8 bytes is longer than the "
                    + "wire format holds (" + WireLimits.MAX_STRING_BYTES + "): "
                    + s.substring(0, Math.min(s.length(), 40)) + "...");
        }
        byte[] b = new byte[utf8.length + 2];
        b[0] = (byte) utf8.length;
        b[1] = (byte) (utf8.length >>> 8);
        System.arraycopy(utf8, 0, b, 2, utf8.length);
        return b;
    }
}
