package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Random;
import java.util.zip.CRC32C;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/** Messages, raw byte builders and comparisons shared by the wire tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** A few tensors of typical shapes (matrix, conv kernel, bias, scalar, empty) with seeded values. */
    static ParameterSet parameters(long seed) {
        Random rnd = new Random(seed);
        return ParameterSet.builder()
                .add(gaussian(rnd, "image_encoder.blocks.0.Space_Adapter.D_fc1.weight", 24, 96))
                .add(gaussian(rnd, "mask_decoder.output_upscaling.0.weight", 8, 4, 3, 3))
                .add(gaussian(rnd, "mask_decoder.output_upscaling.0.bias", 8))
                .add(gaussian(rnd, "scale"))
                .add(gaussian(rnd, "empty", 0, 5))
                .add(gaussian(rnd, "größe.ü", 3, 1))
                .build();
    }

    static Tensor gaussian(Random rnd, String name, int... shape) {
        Tensor t = Tensor.zeros(name, shape);
        float[] v = t.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        return t;
    }

    static WireMessage update(ParameterSet p) {
        return WireMessage.update("exp-7", 12, "site-b", 1234, Metrics.of("loss", 0.25, "dice", 0.875), p);
    }

    static byte[] encode(WireEncoder encoder, WireMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            encoder.encode(m, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static WireMessage decode(WireDecoder decoder, byte[] bytes) throws IOException {
        return decoder.decode(new ByteArrayInputStream(bytes));
    }

    /** Same names in the same order, same shapes, bit-identical values. */
    static void assertSameBits(ParameterSet expected, ParameterSet actual) {
        assertEquals(expected.names(), actual.names());
        Iterator<Tensor> a = actual.tensors().iterator();
        for (Tensor e : expected.tensors()) {
            Tensor t = a.next();
            assertArrayEquals(e.shape(), t.shape(), e.name());
            float[] ev = e.values();
            float[] tv = t.values();
            for (int i = 0; i < ev.length; i++) {
                if (Float.floatToRawIntBits(ev[i]) != Float.floatToRawIntBits(tv[i])) {
                    fail(e.name() + "[" + i + "]: expected " + ev[i] + " (bits " + Integer.toHexString(
                            Float.floatToRawIntBits(ev[i])) + ") but was " + tv[i] + " (bits "
                            + Integer.toHexString(Float.floatToRawIntBits(tv[i])) + ")");
                }
            }
        }
    }

    static void assertSameMessage(WireMessage expected, WireMessage actual) {
        assertEquals(expected.experimentId(), actual.experimentId());
        assertEquals(expected.round(), actual.round());
        assertEquals(expected.siteId(), actual.siteId());
        assertEquals(expected.kind(), actual.kind());
        assertEquals(expected.sampleCount(), actual.sampleCount());
        assertEquals(expected.metrics(), actual.metrics());
        assertSameBits(expected.parameters(), actual.parameters());
    }

    /** Writes message bytes by hand, for headers no encoder would produce. */
    static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        /** Magic, version 1, flags 0, kind. */
        static Raw start(int kind) {
            return new Raw().bytes("FFMS".getBytes(StandardCharsets.US_ASCII)).u16(1).u16(0).u8(kind);
        }

        /** A valid header up to (not including) the tensor count: update, no metrics. */
        static Raw header() {
            return start(1).str("exp").i32(3).str("site").i64(10).u16(0);
        }

        Raw u8(int v) {
            out.write(v);
            return this;
        }

        Raw u16(int v) {
            scratch.clear();
            out.write(scratch.putShort((short) v).array(), 0, 2);
            return this;
        }

        Raw i32(long v) {
            scratch.clear();
            out.write(scratch.putInt((int) v).array(), 0, 4);
            return this;
        }

        Raw i64(long v) {
            scratch.clear();
            out.write(scratch.putLong(v).array(), 0, 8);
            return this;
        }

        Raw f64(double v) {
            scratch.clear();
            out.write(scratch.putDouble(v).array(), 0, 8);
            return this;
        }

        Raw str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u16(b.length).bytes(b);
        }

        Raw bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        /** A tensor directory entry. */
        Raw tensor(String name, int dtype, long... dims) {
            str(name).u8(dtype).u8(dims.length);
            for (long d : dims) {
                i32(d);
            }
            return this;
        }

        Raw zeros(int n) {
            return bytes(new byte[n]);
        }

        int size() {
            return out.size();
        }

        /** The bytes so far with their CRC32C appended. */
        byte[] withChecksum() {
            byte[] b = out.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(b);
            ByteBuffer all = ByteBuffer.allocate(b.length + 4).order(ByteOrder.LITTLE_ENDIAN);
            all.put(b).putInt((int) crc.getValue());
            return all.array();
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
