package org.fedfms.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.internal.ChecksummedInput;
import org.fedfms.wire.internal.CodedPayload;
import org.fedfms.wire.internal.WireFormat;

/**
 * Reads {@link WireMessage}s from streams, enforcing {@link WireLimits} while it reads the header and
 * before it allocates anything the header asks for. Each tensor's values are allocated once and
 * filled chunk by chunk through one bounded buffer; the message is returned only when its checksum
 * holds and the stream ends right after it, so no half-read message escapes. Immutable and safe for
 * concurrent use.
 *
 * <p>Limits bound what a header may claim, not what a sender actually sends: a header within the
 * limits that claims more values than follow makes the decoder allocate them before the truncation
 * shows. Where the expected layout or the message size is known, pass a {@link HeaderCheck}
 * ({@link HeaderCheck#layoutOf}, {@link HeaderCheck#messageBytes}) so that such a header is refused
 * before any tensor is allocated.
 */
public final class WireDecoder {

    /** Default size of the buffer between the stream and the tensors. */
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    private static final int HEADER_BUFFER_BYTES = 8 * 1024;

    private final WireLimits limits;
    private final int bufferBytes;

    public WireDecoder(WireLimits limits) {
        this(limits, DEFAULT_BUFFER_BYTES);
    }

    private WireDecoder(WireLimits limits, int bufferBytes) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.bufferBytes = bufferBytes;
    }

    /** A decoder with {@link WireLimits#defaults()}. */
    public static WireDecoder withDefaults() {
        return new WireDecoder(WireLimits.defaults());
    }

    /** This decoder with another buffer size (at least 16 bytes; a longer name gets a larger one). */
    public WireDecoder withBufferBytes(int bytes) {
        if (bytes < 16) {
            throw new IllegalArgumentException("buffer of " + bytes + " bytes is too small (at least 16)");
        }
        return new WireDecoder(limits, bytes);
    }

    public WireLimits limits() {
        return limits;
    }

    /**
     * Reads one message; the stream must end right after it.
     *
     * @throws WireFormatException if the bytes are not a valid message within the limits
     * @throws IOException if reading the stream fails
     */
    public WireMessage decode(InputStream in) throws IOException {
        return decode(in, HeaderCheck.NONE);
    }

    /**
     * Reads one message whose tensors must have the names and shapes of {@code expectedLayout}; a
     * message that does not is refused after its header, before its payload is read.
     *
     * @throws WireLayoutException listing the differences
     * @throws WireFormatException if the bytes are not a valid message within the limits
     */
    public WireMessage decodeExpecting(InputStream in, ParameterSet expectedLayout) throws IOException {
        return decode(in, HeaderCheck.layoutOf(expectedLayout));
    }

    /**
     * Reads one message, applying {@code check} to its header before the payload is read; the stream
     * must end right after the message.
     *
     * @throws WireFormatException if the bytes are not a valid message within the limits, or the check
     *     refuses the header
     */
    public WireMessage decode(InputStream in, HeaderCheck check) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(check, "check");
        ChecksummedInput r = new ChecksummedInput(in, Math.min(bufferBytes, HEADER_BUFFER_BYTES),
                limits.maxMessageBytes());
        WireHeader header = readHeader(r);
        check.check(header);
        r.reserve((int) Math.min(bufferBytes, header.messageBytes() - r.position()));

        long payloadStart = r.position();
        long payloadBytes = header.payloadBytes();
        List<Tensor> tensors = new ArrayList<>(header.tensors().size());
        for (TensorEntry e : header.tensors()) {
            float[] values;
            if (e.plain()) {
                values = new float[(int) e.elementCount()];
                r.floats(values, e.dtype(), e.name(), payloadStart, payloadBytes);
            } else {
                values = CodedPayload.read(r, e, payloadStart, payloadBytes);
            }
            tensors.add(Tensor.of(e.name(), e.shape(), values));
        }
        int computed = r.checksum();
        int stored;
        try {
            stored = r.i32("the checksum");
        } catch (WireFormatException ex) {
            throw new WireFormatException("truncated: the checksum is missing after the " + payloadBytes
                    + " payload bytes (message ends before byte " + header.messageBytes() + ")");
        }
        if (stored != computed) {
            throw new WireFormatException(String.format("checksum mismatch: the message says %08x, its %d bytes "
                    + "give %08x (corrupted in transit or by the sender)", stored,
                    header.messageBytes() - WireFormat.CHECKSUM_BYTES, computed));
        }
        if (!r.atEnd()) {
            throw new WireFormatException("unexpected bytes after the end of the message at byte "
                    + header.messageBytes());
        }
        return new WireMessage(header.experimentId(), header.round(), header.siteId(), header.kind(),
                header.sampleCount(), header.metrics(), ParameterSet.of(tensors));
    }

    private WireHeader readHeader(ChecksummedInput r) throws IOException {
        byte[] magic = r.bytes(WireFormat.MAGIC.length, "the magic bytes");
        if (!Arrays.equals(magic, WireFormat.MAGIC)) {
            throw new WireFormatException("not a FedFMS wire message: it starts with " + hex(magic)
                    + ", expected " + hex(WireFormat.MAGIC) + " (\"FFMS\")");
        }
        long at = r.position();
        int version = r.u16("the format version");
        if (version != WireFormat.VERSION) {
            throw new WireFormatException("unsupported format version " + version + " at byte " + at
                    + " (this decoder reads version " + WireFormat.VERSION + ")");
        }
        at = r.position();
        int flags = r.u16("the flags");
        if (flags != 0) {
            throw new WireFormatException(String.format("unknown flags 0x%04x at byte %d", flags, at));
        }
        at = r.position();
        int kindCode = r.u8("the message kind");
        MessageKind kind = MessageKind.fromCode(kindCode);
        if (kind == null) {
            throw new WireFormatException("unknown message kind " + kindCode + " at byte " + at);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String experimentId = string(r, utf8, "the experiment id");
        at = r.position();
        int round = r.i32("the round");
        if (round < 0) {
            throw new WireFormatException("negative round " + round + " at byte " + at);
        }
        String siteId = string(r, utf8, "the site id");
        at = r.position();
        long sampleCount = r.i64("the sample count");
        if (sampleCount < 0) {
            throw new WireFormatException("negative sample count " + sampleCount + " at byte " + at);
        }

        at = r.position();
        int metricCount = r.u16("the metric count");
        if (metricCount > limits.maxMetrics()) {
            throw new WireFormatException("declares " + metricCount + " metrics at byte " + at + ", exceeds limit "
                    + limits.maxMetrics());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < metricCount; i++) {
            at = r.position();
            String name = string(r, utf8, "the name of metric " + i);
            if (name.isBlank()) {
                throw new WireFormatException("metric " + i + " at byte " + at + " has a blank name");
            }
            if (metrics.put(name, r.f64("the value of metric '" + name + "'")) != null) {
                throw new WireFormatException("duplicate metric '" + name + "' at byte " + at);
            }
        }

        at = r.position();
        long tensorCount = r.u32("the tensor count");
        if (tensorCount > limits.maxTensors()) {
            throw new WireFormatException("declares " + tensorCount + " tensors at byte " + at + ", exceeds limit "
                    + limits.maxTensors());
        }
        List<TensorEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long totalElements = 0;
        long payloadBytes = 0;
        for (int i = 0; i < tensorCount; i++) {
            at = r.position();
            String name = string(r, utf8, "the name of tensor " + i);
            if (name.isBlank()) {
                throw new WireFormatException("tensor " + i + " at byte " + at + " has a blank name");
            }
            if (!names.add(name)) {
                throw new WireFormatException("tensor " + i + " at byte " + at + ": duplicate name '" + name + "'");
            }
            at = r.position();
            int dtypeByte = r.u8("the dtype of tensor '" + name + "'");
            int dtypeCode = dtypeByte & ~WireFormat.SPARSE_BIT;
            WireDtype dtype = WireDtype.fromCode(dtypeCode);
            Quantization quantization = dtype == null ? Quantization.fromCode(dtypeCode) : null;
            if (dtype == null && quantization == null) {
                throw new WireFormatException("tensor '" + name + "': unknown dtype " + dtypeByte + " at byte " + at);
            }
            int blockSize = 0;
            if (quantization != null) {
                dtype = WireDtype.FP32;
                at = r.position();
                long block = r.u32("the block size of tensor '" + name + "'");
                if (block < 1 || block > Quantization.MAX_BLOCK_SIZE) {
                    throw new WireFormatException("tensor '" + name + "': block size " + block + " at byte " + at
                            + " is outside [1, " + Quantization.MAX_BLOCK_SIZE + "]");
                }
                blockSize = (int) block;
            }
            long nonZeros = -1;
            long nonZerosAt = r.position();
            if ((dtypeByte & WireFormat.SPARSE_BIT) != 0) {
                nonZeros = r.u32("the kept count of tensor '" + name + "'");
            }
            int rank = r.u8("the rank of tensor '" + name + "'");
            if (rank > limits.maxRank()) {
                throw new WireFormatException("tensor '" + name + "': rank " + rank + " exceeds limit "
                        + limits.maxRank());
            }
            int[] shape = new int[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                long dim = r.u32("dimension " + d + " of tensor '" + name + "'");
                if (dim > Integer.MAX_VALUE) {
                    throw new WireFormatException("tensor '" + name + "': dimension " + d + " is " + dim
                            + ", more than " + Integer.MAX_VALUE);
                }
                shape[d] = (int) dim;
                elements = saturatingMultiply(elements, dim);
            }
            if (elements > limits.maxElementsPerTensor()) {
                throw new WireFormatException("tensor '" + name + "': declared " + count(elements)
                        + " elements (shape " + Arrays.toString(shape) + ") exceeds limit "
                        + limits.maxElementsPerTensor());
            }
            totalElements += elements;
            if (totalElements > limits.maxTotalElements()) {
                throw new WireFormatException("declared " + totalElements + " elements in total (through tensor '"
                        + name + "') exceeds limit " + limits.maxTotalElements());
            }
            if (nonZeros > elements) {
                throw new WireFormatException("tensor '" + name + "': keeps " + nonZeros + " values (at byte "
                        + nonZerosAt + ") of only " + elements);
            }
            TensorEntry entry = new TensorEntry(name, shape, dtype, quantization, blockSize, nonZeros);
            payloadBytes += entry.payloadBytes();
            entries.add(entry);
        }
        long messageBytes = r.position() + payloadBytes + WireFormat.CHECKSUM_BYTES;
        if (messageBytes > limits.maxMessageBytes()) {
            throw new WireFormatException("message of " + messageBytes + " bytes (declared by its header) exceeds "
                    + "limit " + limits.maxMessageBytes());
        }
        return new WireHeader(version, experimentId, round, siteId, kind, sampleCount, new Metrics(metrics),
                entries, messageBytes);
    }

    private String string(ChecksummedInput r, CharsetDecoder utf8, String what) throws IOException {
        long at = r.position();
        int length = r.u16("the length of " + what);
        if (length > limits.maxNameLength()) {
            throw new WireFormatException(what + " at byte " + at + " is " + length + " bytes long, exceeds limit "
                    + limits.maxNameLength());
        }
        byte[] bytes = r.bytes(length, what);
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WireFormatException(what + " at byte " + at + " is not valid UTF-8");
        }
    }

    private static long saturatingMultiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static String count(long n) {
        return n == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : Long.toString(n);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }
}
