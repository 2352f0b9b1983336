package org.fedfms.wire.tests;

import static org.fedfms.wire.tests.Fixtures.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.MessageKind;
import org.fedfms.wire.TensorEntry;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireHeader;
import org.fedfms.wire.WireLimits;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Truncated, bit-flipped and fuzzed messages: the decoder throws WireFormatException and nothing else. */
class CorruptionTest {

    private static final WireDecoder DEFAULTS = WireDecoder.withDefaults();

    private static ParameterSet small(long seed) {
        Random rnd = new Random(seed);
        return ParameterSet.builder()
                .add(Fixtures.gaussian(rnd, "w", 4, 8))
                .add(Fixtures.gaussian(rnd, "k", 3, 3, 2))
                .add(Fixtures.gaussian(rnd, "none", 0))
                .add(Fixtures.gaussian(rnd, "b", 5))
                .add(Fixtures.gaussian(rnd, "s"))
                .build();
    }

    private static WireFormatException refuse(WireDecoder decoder, byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> decoder.decode(new ByteArrayInputStream(bytes)));
    }

    @Test
    void truncationAtEveryCutPointSaysWhereItStopped() {
        for (WireDtype dtype : WireDtype.values()) {
            WireMessage m = Fixtures.update(dtype == WireDtype.FP32 ? Fixtures.parameters(31) : small(31));
            WireEncoder enc = WireEncoder.of(dtype);
            byte[] bytes = encode(enc, m);
            WireHeader h = enc.header(m);
            long payloadBytes = h.payloadBytes();
            int payloadStart = (int) (bytes.length - 4 - payloadBytes);
            for (int cut = 0; cut < bytes.length; cut++) {
                String msg = refuse(DEFAULTS, Arrays.copyOf(bytes, cut)).getMessage();
                if (cut < payloadStart) {
                    assertTrue(msg.startsWith("truncated after " + cut + " bytes while reading "), cut + ": " + msg);
                } else if (cut < payloadStart + payloadBytes) {
                    String tensor = tensorAt(h, cut - payloadStart);
                    assertEquals("truncated after " + (cut - payloadStart) + " of " + payloadBytes
                            + " payload bytes (in tensor '" + tensor + "')", msg, dtype + " cut " + cut);
                } else {
                    assertEquals("truncated: the checksum is missing after the " + payloadBytes
                            + " payload bytes (message ends before byte " + bytes.length + ")", msg);
                }
            }
        }
    }

    /** The tensor whose values the payload offset falls into (empty tensors hold none). */
    private static String tensorAt(WireHeader h, long offset) {
        long end = 0;
        for (TensorEntry e : h.tensors()) {
            end += e.payloadBytes();
            if (offset < end) {
                return e.name();
            }
        }
        throw new AssertionError("offset " + offset + " beyond the payload");
    }

    /**
     * FP32 with limits alone (a flipped dimension may make the decoder allocate up to the per-tensor
     * limit before the truncation shows: bounded, never an OOM), BF16 with the default limits and the
     * size check a server adds, which refuses such headers before allocating.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everySingleBitFlipIsRefusedAndPayloadFlipsFailTheChecksum() {
        for (WireDtype dtype : List.of(WireDtype.FP32, WireDtype.BF16)) {
            WireMessage m = Fixtures.update(small(32));
            WireEncoder enc = WireEncoder.of(dtype);
            byte[] bytes = encode(enc, m);
            int payloadStart = (int) (bytes.length - 4 - enc.header(m).payloadBytes());
            HeaderCheck check = dtype == WireDtype.FP32 ? HeaderCheck.NONE : HeaderCheck.messageBytes(bytes.length);
            WireDecoder decoder = dtype == WireDtype.FP32
                    ? new WireDecoder(WireLimits.defaults().withMaxElementsPerTensor(1 << 24)) : DEFAULTS;
            Map<String, Integer> kinds = new TreeMap<>();
            for (int bit = 0; bit < bytes.length * 8; bit++) {
                byte[] flipped = bytes.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                String msg = assertThrows(WireFormatException.class,
                        () -> decoder.decode(new ByteArrayInputStream(flipped), check)).getMessage();
                if (bit / 8 >= payloadStart) {
                    assertTrue(msg.startsWith("checksum mismatch"), "bit " + bit + ": " + msg);
                }
                kinds.merge(msg.split("[ :]")[0], 1, Integer::sum);
            }
            assertTrue(kinds.size() >= 4, "header flips give several kinds of refusal: " + kinds);
        }
    }

    /** A random message: random names (some non-ASCII), shapes (some empty), dtypes, values and metrics. */
    private static WireMessage randomMessage(Random rnd) {
        ParameterSet.Builder b = ParameterSet.builder();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            int rank = rnd.nextInt(4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(9);
            }
            Tensor t = Tensor.zeros((rnd.nextBoolean() ? "layer." : "schicht.ä") + i + ".w", shape);
            float[] v = t.values();
            for (int j = 0; j < v.length; j++) {
                v[j] = switch (rnd.nextInt(20)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2 -> -0f;
                    case 3 -> Float.intBitsToFloat(rnd.nextInt());
                    default -> (float) rnd.nextGaussian();
                };
            }
            b.add(t);
        }
        Metrics metrics = Metrics.empty();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            metrics = metrics.with("m" + i, rnd.nextDouble());
        }
        return new WireMessage("exp-" + rnd.nextInt(100), rnd.nextInt(1000), rnd.nextBoolean() ? "" : "site-β",
                rnd.nextBoolean() ? MessageKind.UPDATE : MessageKind.GLOBAL, rnd.nextInt(5000), metrics, b.build());
    }

    /** What a receiver gets: each value rounded as its dtype says. */
    private static WireMessage expectedAfter(WireMessage m, WireHeader h) {
        ParameterSet.Builder b = ParameterSet.builder();
        int i = 0;
        for (Tensor t : m.parameters().tensors()) {
            WireDtype d = h.tensors().get(i++).dtype();
            float[] v = t.values().clone();
            for (int j = 0; j < v.length; j++) {
                v[j] = d.roundTrip(v[j]);
            }
            b.add(t.name(), t.shape(), v);
        }
        return new WireMessage(m.experimentId(), m.round(), m.siteId(), m.kind(), m.sampleCount(), m.metrics(),
                b.build());
    }

    private static final int[] INTERESTING = {0, 1, -1, 0x7FFF_FFFF, 0x8000_0000, 1 << 28, (1 << 28) + 1, 0xFFFF,
        0x1_0000, 255, 256, 65536 * 2};

    private static byte[] mutate(Random rnd, byte[] in) {
        byte[] b = in;
        for (int times = 1 + rnd.nextInt(3); times > 0; times--) {
            int len = b.length;
            switch (rnd.nextInt(9)) {
                case 0 -> {
                    b = b.clone();
                    for (int k = 1 + rnd.nextInt(8); k > 0 && len > 0; k--) {
                        int bit = rnd.nextInt(len * 8);
                        b[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                }
                case 1 -> {
                    b = b.clone();
                    for (int k = 1 + rnd.nextInt(4); k > 0 && len > 0; k--) {
                        b[rnd.nextInt(len)] = (byte) rnd.nextInt(256);
                    }
                }
                case 2 -> {
                    if (len >= 4) {
                        b = b.clone();
                        int at = rnd.nextInt(len - 3);
                        int v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                        for (int k = 0; k < 4; k++) {
                            b[at + k] = (byte) (v >>> (8 * k));
                        }
                    }
                }
                case 3 -> b = Arrays.copyOf(b, rnd.nextInt(len + 1));
                case 4 -> {
                    int at = rnd.nextInt(len + 1);
                    byte[] extra = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(extra);
                    b = splice(b, at, at, extra);
                }
                case 5 -> {
                    int from = rnd.nextInt(len + 1);
                    int to = Math.min(len, from + rnd.nextInt(32));
                    b = splice(b, from, to, new byte[0]);
                }
                case 6 -> {
                    int from = rnd.nextInt(len + 1);
                    int to = Math.min(len, from + rnd.nextInt(64));
                    int at = rnd.nextInt(len + 1);
                    b = splice(b, at, at, Arrays.copyOfRange(b, from, to));
                }
                case 7 -> {
                    byte[] extra = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(extra);
                    b = splice(b, len, len, extra);
                }
                default -> {
                    byte[] noise = new byte[rnd.nextInt(600)];
                    rnd.nextBytes(noise);
                    int keep = Math.min(len, rnd.nextBoolean() ? 9 : rnd.nextInt(len + 1));
                    b = splice(Arrays.copyOf(b, keep), keep, keep, noise);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] r = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, r, 0, from);
        System.arraycopy(insert, 0, r, from, insert.length);
        System.arraycopy(b, to, r, from + insert.length, b.length - to);
        return r;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fuzzedMessagesDecodeToTheOriginalOrThrowWireFormatException() {
        long seed = 20_261_126L;
        Random rnd = new Random(seed);
        WireLimits tight = new WireLimits(1 << 16, 8, 64, 4, 1000, 4000, 4);
        WireDecoder tightDecoder = new WireDecoder(tight);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int iterations = 4000;
        for (int i = 0; i < iterations; i++) {
            WireMessage original = randomMessage(rnd);
            WireDtype[] dtypes = WireDtype.values();
            WireEncoder enc = WireEncoder.perTensor(t -> dtypes[Math.floorMod(t.name().hashCode(), 3)]);
            WireHeader header = enc.header(original);
            WireMessage expected = expectedAfter(original, header);
            byte[] valid = encode(enc, original);
            byte[] bytes = i % 10 == 9 ? randomBytes(rnd) : mutate(rnd, valid);
            try {
                WireMessage got = switch (i % 3) {
                    case 0 -> DEFAULTS.decode(new ByteArrayInputStream(bytes), HeaderCheck.messageBytes(bytes.length));
                    case 1 -> tightDecoder.decode(new ByteArrayInputStream(bytes));
                    default -> DEFAULTS.decodeExpecting(new ByteArrayInputStream(bytes), original.parameters());
                };
                Fixtures.assertSameMessage(expected, got);
                outcomes.merge(Arrays.equals(bytes, valid) ? "decoded (unchanged bytes)" : "decoded (CHANGED)", 1,
                        Integer::sum);
            } catch (WireFormatException e) {
                String m = e.getMessage();
                outcomes.merge(m.startsWith("tensor '") ? "tensor ..." : m.split("[ :(]")[0], 1, Integer::sum);
            } catch (IOException | RuntimeException | Error e) {
                failures.add("iteration " + i + " (seed " + seed + "): " + e);
                if (failures.size() == 1) {
                    e.printStackTrace();
                }
            } catch (Throwable e) {
                failures.add("iteration " + i + ": " + e);
            }
        }
        System.out.println("fuzz outcomes over " + iterations + " messages: " + outcomes);
        assertEquals(List.of(), failures);
        assertEquals(null, outcomes.get("decoded (CHANGED)"), "changed bytes never decode: " + outcomes);
        for (String expectedKind : List.of("checksum", "truncated", "not", "unexpected", "header", "tensors")) {
            assertTrue(outcomes.getOrDefault(expectedKind, 0) > 0, "the fuzzer reaches '" + expectedKind + "': "
                    + outcomes);
        }
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
        if (rnd.nextBoolean() && b.length >= 9) {
            System.arraycopy(new byte[] {'F', 'F', 'M', 'S', 1, 0, 0, 0, (byte) rnd.nextInt(2)}, 0, b, 0, 9);
        }
        return b;
    }

    @Test
    void aHeaderWithinTheDefaultLimitsThatClaimsAGibibyteEndsInACleanTruncation() {
        byte[] claim = Fixtures.Raw.header().i32(1).tensor("w", 0, 1 << 14, 1 << 14).zeros(1000).toBytes();
        assertEquals("truncated after 1000 of 1073741824 payload bytes (in tensor 'w')",
                refuse(DEFAULTS, claim).getMessage());
    }

    @Test
    void streamFailuresStayPlainIOExceptions() {
        byte[] bytes = encode(WireEncoder.fp32(), Fixtures.update(small(33)));
        InputStream failing = new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                if (pos == 100) {
                    throw new IOException("connection reset");
                }
                return bytes[pos++] & 0xFF;
            }
        };
        IOException e = assertThrows(IOException.class, () -> DEFAULTS.decode(failing));
        assertEquals("connection reset", e.getMessage());
        assertTrue(!(e instanceof WireFormatException));
    }
}
