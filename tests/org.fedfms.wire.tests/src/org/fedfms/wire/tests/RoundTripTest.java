package org.fedfms.wire.tests;

import static org.fedfms.wire.tests.Fixtures.assertSameBits;
import static org.fedfms.wire.tests.Fixtures.assertSameMessage;
import static org.fedfms.wire.tests.Fixtures.decode;
import static org.fedfms.wire.tests.Fixtures.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.MessageKind;
import org.fedfms.wire.TensorEntry;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireHeader;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

class RoundTripTest {

    private final WireDecoder decoder = WireDecoder.withDefaults();

    private static ParameterSet specials() {
        float[] v = {Float.NaN, Float.intBitsToFloat(0x7F80_0001), Float.intBitsToFloat(0xFFC1_2345),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE, -Float.MIN_NORMAL,
            Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 65504f, 65520f, 1e-8f, 3.14159265f, 0x1p-24f};
        return ParameterSet.builder().add("specials", new int[] {v.length}, v).build();
    }

    @Test
    void fp32IsBitExactAndKeepsEveryHeaderField() throws IOException {
        ParameterSet p = Fixtures.parameters(1);
        WireMessage m = new WireMessage("exp ✓ 42", 7, "site-α", MessageKind.UPDATE, 9876543210L,
                Metrics.of("loss", 0.125, "dice", 0.9, "nan-metric", Double.NaN, "neg", -1e300), p);
        byte[] bytes = encode(WireEncoder.fp32(), m);
        WireMessage back = decode(decoder, bytes);
        assertSameMessage(m, back);
        assertEquals(List.of("loss", "dice", "nan-metric", "neg"), List.copyOf(back.metrics().values().keySet()));
        assertEquals(WireEncoder.fp32().encodedSize(m), bytes.length);

        WireMessage global = WireMessage.global("e", 0, "", p);
        WireMessage globalBack = decode(decoder, encode(WireEncoder.fp32(), global));
        assertSameMessage(global, globalBack);
        assertEquals(MessageKind.GLOBAL, globalBack.kind());
    }

    @Test
    void fp32KeepsNaNPayloadsInfinitiesAndSignedZeros() throws IOException {
        ParameterSet p = specials();
        assertSameBits(p, decode(decoder, encode(WireEncoder.fp32(), Fixtures.update(p))).parameters());
    }

    @Test
    void payloadIsRawLittleEndianFp32AfterTheHeader() throws IOException {
        float[] v = {1f, -2.5f, Float.NaN};
        ParameterSet p = ParameterSet.builder().add("w", new int[] {3}, v).build();
        WireMessage m = WireMessage.global("x", 1, "s", p);
        byte[] bytes = encode(WireEncoder.fp32(), m);
        int payloadStart = bytes.length - 4 - 12;
        for (int i = 0; i < 3; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            for (int b = 0; b < 4; b++) {
                assertEquals((byte) (bits >>> (8 * b)), bytes[payloadStart + 4 * i + b], "value " + i + " byte " + b);
            }
        }
        assertEquals('F', bytes[0]);
        assertEquals('S', bytes[3]);
    }

    @Test
    void halfFormatsRoundEachValueAsTheDtypeSaysAndHalveThePayload() throws IOException {
        ParameterSet p = Fixtures.parameters(2);
        long fp32Size = WireEncoder.fp32().encodedSize(Fixtures.update(p));
        for (WireDtype d : List.of(WireDtype.FP16, WireDtype.BF16)) {
            WireMessage m = Fixtures.update(p);
            byte[] bytes = encode(WireEncoder.of(d), m);
            assertEquals(fp32Size - 2 * p.parameterCount(), bytes.length, d.toString());
            WireMessage back = decode(decoder, bytes);
            assertEquals(m.metrics(), back.metrics());
            Iterator<Tensor> it = back.parameters().tensors().iterator();
            double tolerance = d == WireDtype.FP16 ? 0x1p-11 : 0x1p-8;
            for (Tensor t : p.tensors()) {
                Tensor b = it.next();
                for (int i = 0; i < t.size(); i++) {
                    float orig = t.values()[i];
                    float got = b.values()[i];
                    assertEquals(Float.floatToRawIntBits(d.roundTrip(orig)), Float.floatToRawIntBits(got),
                            d + " " + t.name() + "[" + i + "]");
                    if (d == WireDtype.BF16 || Math.abs(orig) >= 0x1p-14f) {
                        assertTrue(Math.abs(got - orig) <= Math.abs(orig) * tolerance, d + " " + orig + " -> " + got);
                    } else {
                        assertTrue(Math.abs(got - orig) <= 0x1p-25, d + " " + orig + " -> " + got);
                    }
                }
            }
        }
    }

    @Test
    void halfFormatsAreExactOnRepresentableValuesAndKeepSpecials() throws IOException {
        float[] exact = {0f, -0f, 1f, -2f, 0.5f, 1024f, 0x1.998p-4f, -0x1.554p-2f, 65504f, 0x1p-24f, 0x1p-14f};
        ParameterSet p = ParameterSet.builder().add("exact", new int[] {exact.length}, exact).build();
        for (WireDtype d : List.of(WireDtype.FP16, WireDtype.BF16)) {
            float[] representable = exact.clone();
            for (int i = 0; i < representable.length; i++) {
                representable[i] = d.roundTrip(representable[i]);
            }
            ParameterSet rp = ParameterSet.builder().add("exact", new int[] {exact.length}, representable).build();
            assertSameBits(rp, decode(decoder, encode(WireEncoder.of(d), Fixtures.update(rp))).parameters());
            ParameterSet back = decode(decoder, encode(WireEncoder.of(d), Fixtures.update(specials()))).parameters();
            float[] v = back.get("specials").values();
            assertTrue(Float.isNaN(v[0]) && Float.isNaN(v[1]) && Float.isNaN(v[2]), d + " NaN");
            assertEquals(Float.POSITIVE_INFINITY, v[3], d.toString());
            assertEquals(Float.NEGATIVE_INFINITY, v[4], d.toString());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[5]), d + " -0");
            assertEquals(1f, v[11], d.toString());
        }
        ParameterSet p16 = decode(decoder, encode(WireEncoder.of(WireDtype.FP16), Fixtures.update(p))).parameters();
        assertSameBits(p, p16);
    }

    @Test
    void dtypeCanBeChosenPerTensorAndTheHeaderSaysWhich() throws IOException {
        ParameterSet p = Fixtures.parameters(3);
        WireEncoder enc = WireEncoder.perTensor(t -> t.name().endsWith(".bias") ? WireDtype.FP32
                : t.name().startsWith("image_encoder") ? WireDtype.BF16 : WireDtype.FP16);
        WireMessage m = Fixtures.update(p);
        AtomicReference<WireHeader> seen = new AtomicReference<>();
        WireMessage back = decoder.decode(new ByteArrayInputStream(encode(enc, m)), seen::set);
        assertEquals(enc.header(m), seen.get());
        List<WireDtype> dtypes = seen.get().tensors().stream().map(TensorEntry::dtype).toList();
        assertEquals(List.of(WireDtype.BF16, WireDtype.FP16, WireDtype.FP32, WireDtype.FP16, WireDtype.FP16,
                WireDtype.FP16), dtypes);
        assertSameBits(p.select(n -> n.endsWith(".bias")), back.parameters().select(n -> n.endsWith(".bias")));
        Tensor enc0 = back.parameters().get("image_encoder.blocks.0.Space_Adapter.D_fc1.weight");
        float orig = p.get(enc0.name()).values()[17];
        assertEquals(WireDtype.BF16.roundTrip(orig), enc0.values()[17]);
    }

    @Test
    void emptySetsAndTinyBuffersAndTricklingStreamsWork() throws IOException {
        WireMessage empty = WireMessage.global("e", 0, "s", ParameterSet.empty());
        assertSameMessage(empty, decode(decoder, encode(WireEncoder.fp32(), empty)));

        Random rnd = new Random(4);
        ParameterSet big = ParameterSet.builder()
                .add(Fixtures.gaussian(rnd, "a", 300, 301))
                .add(Fixtures.gaussian(rnd, "b", 7))
                .add(Fixtures.gaussian(rnd, "c", 50_001))
                .build();
        for (WireDtype d : WireDtype.values()) {
            WireMessage m = Fixtures.update(big);
            byte[] small = encode(WireEncoder.of(d).withBufferBytes(64), m);
            byte[] normal = encode(WireEncoder.of(d), m);
            assertTrue(Arrays.equals(small, normal), "the buffer size must not change the bytes");
            WireMessage back = decoder.decode(new TricklingStream(normal, 11));
            WireMessage direct = decode(decoder, normal);
            assertSameMessage(direct, back);
            assertSameMessage(direct, decode(decoder.withBufferBytes(16), normal));
            assertSameMessage(direct, decoder.withBufferBytes(16).decode(new TricklingStream(normal, 5)));
            if (d == WireDtype.FP32) {
                assertSameMessage(m, back);
            }
        }
    }

    @Test
    void encodeWritesExactlyTheMessageAndLeavesTheStreamOpen() throws IOException {
        WireMessage m = Fixtures.update(Fixtures.parameters(5));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {1, 2, 3});
        long n = WireEncoder.of(WireDtype.BF16).encode(m, out);
        out.write(9);
        assertEquals(out.size(), 3 + n + 1);
        assertEquals(WireEncoder.of(WireDtype.BF16).encodedSize(m), n);
    }

    @Test
    void encoderRefusesWhatTheFormatCannotHold() {
        String longName = "n".repeat(70_000);
        ParameterSet p = ParameterSet.builder().add(longName, new int[] {1}, new float[1]).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WireEncoder.fp32().encode(Fixtures.update(p), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("tensor name of 70000 UTF-8 bytes is longer than the wire format "
                + "holds (65535)"), e.getMessage());
        int[] shape = new int[256];
        Arrays.fill(shape, 1);
        ParameterSet deep = ParameterSet.builder().add("deep", shape, new float[1]).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> WireEncoder.fp32().encodedSize(Fixtures.update(deep)));
        assertEquals("tensor 'deep' has rank 256, more than the wire format holds (255)", e.getMessage());
    }

    @Test
    void trailingBytesAreRefused() throws IOException {
        byte[] bytes = encode(WireEncoder.fp32(), Fixtures.update(Fixtures.parameters(6)));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        WireFormatException e = assertThrows(WireFormatException.class, () -> decode(decoder, longer));
        assertEquals("unexpected bytes after the end of the message at byte " + bytes.length, e.getMessage());
    }

    @Test
    void oneDecoderServesManyThreads() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        List<WireMessage> originals = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            WireMessage m = Fixtures.update(Fixtures.parameters(100 + i));
            originals.add(m);
            messages.add(encode(WireEncoder.fp32(), m));
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            int k = i;
            threads.add(new Thread(() -> {
                try {
                    for (int r = 0; r < 50; r++) {
                        assertSameMessage(originals.get(k), decode(decoder, messages.get(k)));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }

    /** Hands out at most {@code chunk} bytes per read, like a slow socket. */
    static final class TricklingStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;
        private int turn;

        TricklingStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + (turn++ % chunk)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
