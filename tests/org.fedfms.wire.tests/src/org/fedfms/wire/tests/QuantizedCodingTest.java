package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.Quantization;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.internal.BlockCodec;
import org.junit.jupiter.api.Test;

/** int8 / NF4 / FP4 blockwise quantization and top-k through the wire: error bounds, sizes, refusals. */
class QuantizedCodingTest {

    private static final WireDecoder DECODER = WireDecoder.withDefaults();

    /** Gaussian values with some blocks of a much larger magnitude and one block of zeros. */
    private static ParameterSet values(long seed) {
        Random rnd = new Random(seed);
        Tensor a = Fixtures.gaussian(rnd, "a.weight", 37, 29);
        float[] v = a.values();
        for (int i = 100; i < 164; i++) {
            v[i] *= 40;
        }
        for (int i = 300; i < 400; i++) {
            v[i] = 0;
        }
        return ParameterSet.builder().add(a).add(Fixtures.gaussian(rnd, "b.bias", 7))
                .add(Fixtures.gaussian(rnd, "c", 1)).add(Fixtures.gaussian(rnd, "empty", 0, 3)).build();
    }

    private static ParameterSet roundTrip(ParameterSet p, TensorCoding coding) throws IOException {
        WireEncoder enc = WireEncoder.coded(coding);
        WireMessage m = Fixtures.update(p);
        byte[] bytes = Fixtures.encode(enc, m);
        assertEquals(enc.encodedSize(m), bytes.length, coding + ": the header predicts the size");
        return DECODER.decodeExpecting(new ByteArrayInputStream(bytes), p).parameters();
    }

    @Test
    void eachValueIsWithinTheHalfGapOfItsTableTimesItsBlocksAbsmax() throws IOException {
        ParameterSet p = values(21);
        for (Quantization q : Quantization.values()) {
            for (int block : new int[] {1, 7, 64, 4096}) {
                TensorCoding coding = TensorCoding.quantized(q, block);
                ParameterSet got = roundTrip(p, coding);
                for (Tensor t : p.tensors()) {
                    float[] sent = t.values();
                    float[] rec = got.get(t.name()).values();
                    for (int from = 0; from < sent.length; from += block) {
                        float absmax = 0;
                        for (int i = from; i < Math.min(sent.length, from + block); i++) {
                            absmax = Math.max(absmax, Math.abs(sent[i]));
                        }
                        // int8: 1/254 of the absmax; 4-bit: the table's largest half-gap; plus float rounding
                        double bound = ((q == Quantization.INT8 ? 1 / 254.0 : q.maxHalfGap()) + 1e-6) * absmax;
                        for (int i = from; i < Math.min(sent.length, from + block); i++) {
                            assertTrue(Math.abs(rec[i] - sent[i]) <= bound, coding + " " + t.name() + "[" + i + "]: sent "
                                    + sent[i] + ", received " + rec[i] + ", bound " + bound);
                        }
                    }
                    float[] expected = BlockCodec.roundTrip(t.name(), sent, coding);
                    for (int i = 0; i < sent.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(rec[i]),
                                coding + ": the sender's round trip is what the receiver decodes");
                    }
                }
            }
        }
        assertEquals(1 / 254.0, Quantization.INT8.maxHalfGap(), 1e-7);
        assertEquals((1 - 0.6961928) / 2, Quantization.NF4.maxHalfGap(), 1e-6);
        assertEquals(1 / 6.0, Quantization.FP4.maxHalfGap(), 1e-7);
    }

    @Test
    void quantizedAndTopKMessagesAreAsSmallAsTheirCodes() {
        ParameterSet p = ParameterSet.builder().add(Fixtures.gaussian(new Random(3), "w", 256, 256)).build();
        WireMessage m = Fixtures.update(p);
        long fp32 = WireEncoder.fp32().encodedSize(m);
        long header = fp32 - 4L * 65536;
        assertEquals(65536 + 4 * 1024 + 4, WireEncoder.coded(TensorCoding.parse("int8")).encodedSize(m) - header);
        assertEquals(32768 + 4 * 1024 + 4, WireEncoder.coded(TensorCoding.parse("nf4")).encodedSize(m) - header);
        assertEquals(32768 + 4 * 256 + 4, WireEncoder.coded(TensorCoding.parse("fp4/256")).encodedSize(m) - header);
        // 1 % of 65536 = 655 values: indices and fp32 values, plus the kept count
        assertEquals(655 * 8 + 4, WireEncoder.coded(TensorCoding.parse("topk:0.01")).encodedSize(m) - header);
        assertEquals(655 * 5 + 11 * 4 + 4 + 4,
                WireEncoder.coded(TensorCoding.parse("topk:0.01+int8")).encodedSize(m) - header);
    }

    @Test
    void topKSendsTheLargestMagnitudesAndZerosTheRest() throws IOException {
        float[] v = {0.5f, -3f, 0.1f, 2f, -2f, 0f, 1f, -0.25f, 2f, 0.01f};
        ParameterSet p = ParameterSet.builder().add(Tensor.of("t", new int[] {10}, v)).build();
        float[] got = roundTrip(p, TensorCoding.parse("topk:0.4")).get("t").values();
        // |-3|, then the three values of magnitude 2
        assertEquals(List.of(0f, -3f, 0f, 2f, -2f, 0f, 0f, 0f, 2f, 0f), boxed(got));
        // ties of magnitude go to the lower indices
        got = roundTrip(p, TensorCoding.parse("topk:0.3+bf16")).get("t").values();
        assertEquals(List.of(0f, -3f, 0f, 2f, -2f, 0f, 0f, 0f, 0f, 0f), boxed(got));
        got = roundTrip(p, TensorCoding.parse("topk:0.01+int8/2")).get("t").values();
        assertEquals(List.of(0f, -3f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f), boxed(got), "at least one value travels");
    }

    @Test
    void theTextFormRoundTripsAndBadTextSaysWhatIsAccepted() {
        for (String s : List.of("fp32", "fp16", "bf16", "int8", "nf4", "fp4", "int8/128", "topk:0.01",
                "topk:0.1+int8", "topk:0.05+nf4/32", "topk:0.5+fp16")) {
            assertEquals(s, TensorCoding.parse(s).toString());
        }
        assertEquals(TensorCoding.of(WireDtype.FP16), TensorCoding.parse(" FP16 "));
        assertEquals("unknown encoding 'int7': expected fp32, fp16, bf16, int8, nf4 or fp4 (a quantization may name "
                + "its block size, e.g. int8/128), optionally after topk:FRACTION+ (e.g. topk:0.01+int8)",
                assertThrows(IllegalArgumentException.class, () -> TensorCoding.parse("int7")).getMessage());
        assertEquals("top-k fraction 1.5 in 'topk:1.5' is outside (0, 1]",
                assertThrows(IllegalArgumentException.class, () -> TensorCoding.parse("topk:1.5")).getMessage());
        assertEquals("block size '0' in 'int8/0' is not a whole number from 1 to 65536",
                assertThrows(IllegalArgumentException.class, () -> TensorCoding.parse("int8/0")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorCoding.parse("fp16/64"));
    }

    @Test
    void nonFiniteValuesAreRefusedByCodingsThatCannotCarryThem() {
        ParameterSet p = ParameterSet.builder().add(Tensor.of("w", new int[] {3}, new float[] {1, Float.NaN, 2}))
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.encode(WireEncoder.coded(TensorCoding.parse("int8")), Fixtures.update(p)));
        assertEquals("tensor 'w' has the non-finite value NaN at index 1: int8 cannot carry it (send fp32)",
                e.getMessage());
    }

    /** One int8 tensor "w" of 4 values in one block of 4: scale then codes, as raw bytes. */
    private static byte[] int8Message(int dtypeByte, long block, Long kept, float scale, int[] indices, int... codes) {
        Fixtures.Raw raw = Fixtures.Raw.header().i32(1).str("w").u8(dtypeByte).i32(block);
        if (kept != null) {
            raw.i32(kept);
        }
        raw.u8(1).i32(4);
        for (int i : indices) {
            raw.i32(i);
        }
        raw.i32(Float.floatToRawIntBits(scale));
        for (int c : codes) {
            raw.u8(c);
        }
        return raw.withChecksum();
    }

    private static String refusal(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> DECODER.decode(new ByteArrayInputStream(bytes)))
                .getMessage();
    }

    @Test
    void theDecoderRefusesBadScalesCodesBlockSizesAndIndices() throws IOException {
        float[] ok = DECODER.decode(new ByteArrayInputStream(int8Message(3, 4, null, 127f, new int[0], 127, 254, 0, 190)))
                .parameters().get("w").values();
        assertEquals(List.of(0f, 127f, -127f, 63f), boxed(ok));
        assertEquals("tensor 'w': scale 0 is NaN (a scale must be finite and not negative)",
                refusal(int8Message(3, 4, null, Float.NaN, new int[0], 127, 127, 127, 127)));
        assertEquals("tensor 'w': scale 0 is Infinity (a scale must be finite and not negative)",
                refusal(int8Message(3, 4, null, Float.POSITIVE_INFINITY, new int[0], 127, 127, 127, 127)));
        assertEquals("tensor 'w': scale 0 is -1.0 (a scale must be finite and not negative)",
                refusal(int8Message(3, 4, null, -1f, new int[0], 127, 127, 127, 127)));
        assertEquals("tensor 'w': code 255 of value 2 names no INT8 level (there are 255)",
                refusal(int8Message(3, 4, null, 1f, new int[0], 127, 127, 255, 127)));
        assertTrue(refusal(int8Message(3, 0, null, 1f, new int[0], 1, 1, 1, 1))
                .startsWith("tensor 'w': block size 0 at byte"));
        assertTrue(refusal(int8Message(3, 1L << 20, null, 1f, new int[0], 1, 1, 1, 1))
                .contains("block size 1048576 at byte"));
        // top-k: 2 of 4 kept
        float[] sparse = DECODER.decode(new ByteArrayInputStream(int8Message(0x83, 4, 2L, 1f, new int[] {1, 3}, 254, 0)))
                .parameters().get("w").values();
        assertEquals(List.of(0f, 1f, 0f, -1f), boxed(sparse));
        assertEquals("tensor 'w': kept index 1 is 1 (indices must ascend strictly and stay below 4)",
                refusal(int8Message(0x83, 4, 2L, 1f, new int[] {1, 1}, 254, 0)));
        assertEquals("tensor 'w': kept index 0 is 4 (indices must ascend strictly and stay below 4)",
                refusal(int8Message(0x83, 4, 2L, 1f, new int[] {4, 5}, 254, 0)));
        assertTrue(refusal(int8Message(0x83, 4, 5L, 1f, new int[] {0, 1, 2, 3}, 1, 1, 1, 1, 1))
                .matches("tensor 'w': keeps 5 values \\(at byte \\d+\\) of only 4"));
        assertTrue(refusal(int8Message(7, 4, null, 1f, new int[0], 1, 1, 1, 1)).startsWith("tensor 'w': unknown dtype 7"));
        // 4-bit: 3 values, the unused high nibble of the last byte must be 0; FP4 has 15 levels
        byte[] nf4 = Fixtures.Raw.header().i32(1).str("w").u8(4).i32(64).u8(1).i32(3)
                .i32(Float.floatToRawIntBits(1f)).u8(0xF0).u8(0x17).withChecksum();
        assertEquals("tensor 'w': the unused half of its last code byte is not 0", refusal(nf4));
        byte[] fp4 = Fixtures.Raw.header().i32(1).str("w").u8(5).i32(64).u8(1).i32(2)
                .i32(Float.floatToRawIntBits(1f)).u8(0xF7).withChecksum();
        assertEquals("tensor 'w': code 15 of value 1 names no FP4 level (there are 15)", refusal(fp4));
    }

    @Test
    void fuzzedQuantizedAndTopKMessagesDecodeToWhatWasSentOrThrowWireFormatException() {
        long seed = 20_261_207L;
        Random rnd = new Random(seed);
        String[] codings = {"int8", "int8/3", "nf4", "fp4/5", "topk:0.3", "topk:0.5+int8/4", "topk:0.2+nf4",
                "topk:0.4+bf16", "fp16"};
        WireDecoder tight = new WireDecoder(new org.fedfms.wire.WireLimits(1 << 16, 8, 64, 4, 1000, 4000, 4));
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        List<String> failures = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            ParameterSet.Builder b = ParameterSet.builder();
            int tensors = 1 + rnd.nextInt(3);
            for (int t = 0; t < tensors; t++) {
                b.add(Fixtures.gaussian(rnd, "t" + t, 1 + rnd.nextInt(9), rnd.nextInt(7)));
            }
            ParameterSet p = b.build();
            TensorCoding[] chosen = new TensorCoding[tensors];
            for (int t = 0; t < tensors; t++) {
                chosen[t] = TensorCoding.parse(codings[rnd.nextInt(codings.length)]);
            }
            WireEncoder enc = WireEncoder.perTensorCoding(t -> chosen[Integer.parseInt(t.name().substring(1))]);
            ParameterSet.Builder expected = ParameterSet.builder();
            for (Tensor t : p.tensors()) {
                expected.add(Tensor.of(t.name(), t.shape(), BlockCodec.roundTrip(t.name(), t.values(),
                        chosen[Integer.parseInt(t.name().substring(1))])));
            }
            byte[] valid = Fixtures.encode(enc, Fixtures.update(p));
            byte[] bytes = valid.clone();
            switch (rnd.nextInt(4)) {
                case 0 -> bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> bytes = java.util.Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
                case 2 -> {
                    int at = rnd.nextInt(bytes.length);
                    bytes[at] = (byte) rnd.nextInt(256);
                }
                default -> {
                    // a mutation with a recomputed checksum: the decoder's own checks must catch it
                    int at = 4 + rnd.nextInt(bytes.length - 8);
                    bytes[at] = (byte) rnd.nextInt(256);
                    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                    crc.update(bytes, 0, bytes.length - 4);
                    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putInt(bytes.length - 4, (int) crc.getValue());
                }
            }
            try {
                WireMessage got = (i % 2 == 0 ? DECODER : tight).decode(new ByteArrayInputStream(bytes));
                if (java.util.Arrays.equals(bytes, valid)) {
                    Fixtures.assertSameBits(expected.build(), got.parameters());
                    outcomes.merge("decoded (unchanged)", 1, Integer::sum);
                } else {
                    outcomes.merge("decoded (changed, checksum recomputed)", 1, Integer::sum);
                }
            } catch (WireFormatException e) {
                String m = e.getMessage();
                outcomes.merge(m.startsWith("tensor '") ? "tensor: " + m.replaceAll("^tensor '[^']*': ", "")
                        .split("[ ]")[0] : m.split("[ :(]")[0], 1, Integer::sum);
            } catch (Throwable e) {
                failures.add("iteration " + i + " (seed " + seed + "): " + e);
            }
        }
        System.out.println("quantized fuzz outcomes: " + outcomes);
        assertEquals(List.of(), failures);
        for (String reached : List.of("checksum", "truncated", "tensor: code", "tensor: scale", "tensor: kept")) {
            assertTrue(outcomes.getOrDefault(reached, 0) > 0, "the fuzzer reaches '" + reached + "': " + outcomes);
        }
    }

    private static List<Float> boxed(float[] v) {
        List<Float> l = new java.util.ArrayList<>();
        for (float f : v) {
            l.add(f);
        }
        return l;
    }
}
