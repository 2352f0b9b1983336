package org.fedfms.wire.tests;

import static org.fedfms.wire.tests.Fixtures.decode;
import static org.fedfms.wire.tests.Fixtures.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireLayoutException;
import org.fedfms.wire.WireLimits;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.tests.Fixtures.Raw;
import org.junit.jupiter.api.Test;

class LimitsAndMalformedHeadersTest {

    private static final ParameterSet P = Fixtures.parameters(21);
    private static final WireMessage M = Fixtures.update(P);
    private static final byte[] BYTES = encode(WireEncoder.fp32(), M);
    private static final String FIRST = "image_encoder.blocks.0.Space_Adapter.D_fc1.weight";

    /** Limits exactly as large as {@link #M} needs. */
    private static WireLimits exact() {
        int longest = 0;
        for (String n : P.names()) {
            longest = Math.max(longest, n.getBytes(StandardCharsets.UTF_8).length);
        }
        return new WireLimits(BYTES.length, P.tensorCount(), longest, 4, 24 * 96, P.parameterCount(), 2);
    }

    private static String refusal(WireLimits limits, byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> decode(new WireDecoder(limits), bytes)).getMessage();
    }

    @Test
    void limitsThatAreExactlyLargeEnoughAdmitTheMessage() throws Exception {
        Fixtures.assertSameMessage(M, decode(new WireDecoder(exact()), BYTES));
    }

    @Test
    void everyLimitRefusesWithAMessageSayingWhatAndWhere() {
        WireLimits x = exact();
        assertEquals("declares 6 tensors at byte 66, exceeds limit 5", refusal(x.withMaxTensors(5), BYTES));
        assertEquals("the name of tensor 0 at byte 70 is 49 bytes long, exceeds limit 48",
                refusal(x.withMaxNameLength(48), BYTES));
        assertEquals("tensor 'mask_decoder.output_upscaling.0.weight': rank 4 exceeds limit 3",
                refusal(x.withMaxRank(3), BYTES));
        assertEquals("tensor '" + FIRST + "': declared 2304 elements (shape [24, 96]) exceeds limit 2303",
                refusal(x.withMaxElementsPerTensor(2303), BYTES));
        assertEquals("declared " + P.parameterCount() + " elements in total (through tensor 'größe.ü') exceeds limit "
                + (P.parameterCount() - 1), refusal(x.withMaxTotalElements(P.parameterCount() - 1), BYTES));
        assertEquals("declares 2 metrics at byte 36, exceeds limit 1", refusal(x.withMaxMetrics(1), BYTES));
        assertEquals("message of " + BYTES.length + " bytes (declared by its header) exceeds limit "
                + (BYTES.length - 1), refusal(x.withMaxMessageBytes(BYTES.length - 1), BYTES));
        assertEquals("message exceeds the limit of 40 bytes at byte 40 (reading the name of metric 0)",
                refusal(x.withMaxMessageBytes(40), BYTES));
        assertEquals("the site id at byte 20 is 6 bytes long, exceeds limit 5", refusal(x.withMaxNameLength(5), BYTES));
    }

    @Test
    void headersThatAskForHugeTensorsAreRefusedBeforeAllocation() {
        WireLimits d = WireLimits.defaults();
        byte[] square = Raw.header().i32(1).tensor("huge", 0, 65536, 65536).withChecksum();
        assertEquals("tensor 'huge': declared 4294967296 elements (shape [65536, 65536]) exceeds limit 268435456",
                refusal(d, square));
        byte[] wide = Raw.header().i32(1).tensor("wide", 0, 0xFFFF_FFFFL).withChecksum();
        assertEquals("tensor 'wide': dimension 0 is 4294967295, more than 2147483647", refusal(d, wide));
        long m = Integer.MAX_VALUE;
        byte[] deep = Raw.header().i32(1).tensor("deep", 0, m, m, m, m, m).withChecksum();
        assertTrue(refusal(d, deep).startsWith("tensor 'deep': declared more than 9223372036854775807 elements"));
        // four tensors of 2^28 values each pass the per-tensor limit; allocated they would be 4 GiB
        Raw many = Raw.header().i32(4);
        for (int i = 0; i < 4; i++) {
            many.tensor("t" + i, 0, 1 << 14, 1 << 14);
        }
        assertEquals("declared 1073741824 elements in total (through tensor 't3') exceeds limit 1000000000",
                refusal(d, many.withChecksum()));
        byte[] big = Raw.header().i32(1).tensor("t", 1, 1_000_000).withChecksum();
        assertEquals("message of 2000051 bytes (declared by its header) exceeds limit 1048576",
                refusal(d.withMaxMessageBytes(1 << 20), big));
        byte[] zeroSized = Raw.header().i32(1).tensor("z", 0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE).withChecksum();
        WireMessage empty = assertDoesNotThrow(() -> decode(new WireDecoder(d), zeroSized));
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE, Integer.MAX_VALUE}, empty.parameters().get("z").shape());
        assertEquals(0, empty.parameters().parameterCount());
    }

    @Test
    void headerChecksRefuseALyingHeaderBeforeItsTensorsAreAllocated() {
        byte[] lying = Raw.header().i32(2).tensor("a", 0, 1 << 14, 1 << 14).tensor("b", 0, 1 << 14, 1 << 14)
                .withChecksum();
        WireDecoder d = WireDecoder.withDefaults();
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> d.decode(new ByteArrayInputStream(lying), HeaderCheck.messageBytes(lying.length)));
        assertEquals("header declares a message of 2147483716 bytes but " + lying.length + " bytes were sent",
                e.getMessage());
        ParameterSet expected = ParameterSet.builder().add("a", new int[] {2, 2}, new float[4]).build();
        WireLayoutException le = assertThrows(WireLayoutException.class,
                () -> d.decodeExpecting(new ByteArrayInputStream(lying), expected));
        assertEquals(List.of("'a' has shape [16384, 16384], expected [2, 2]", "unexpected 'b'"), le.differences());
    }

    @Test
    void malformedHeadersSayWhatAndWhere() {
        WireLimits d = WireLimits.defaults();
        assertEquals("truncated after 0 bytes while reading the magic bytes (at byte 0)", refusal(d, new byte[0]));
        assertEquals("not a FedFMS wire message: it starts with 504b0304, expected 46464d53 (\"FFMS\")",
                refusal(d, new byte[] {0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0}));
        assertEquals("unsupported format version 2 at byte 4 (this decoder reads version 1)",
                refusal(d, new Raw().bytes("FFMS".getBytes(StandardCharsets.US_ASCII)).u16(2).u16(0).withChecksum()));
        assertEquals("unknown flags 0x0004 at byte 6",
                refusal(d, new Raw().bytes("FFMS".getBytes(StandardCharsets.US_ASCII)).u16(1).u16(4).withChecksum()));
        assertEquals("unknown message kind 5 at byte 8", refusal(d, Raw.start(5).withChecksum()));
        assertEquals("negative round -3 at byte 14", refusal(d, Raw.start(1).str("exp").i32(-3).withChecksum()));
        assertEquals("negative sample count -1 at byte 24",
                refusal(d, Raw.start(1).str("exp").i32(3).str("site").i64(-1).withChecksum()));
        assertEquals("tensor 'x': unknown dtype 7 at byte 41",
                refusal(d, Raw.header().i32(1).tensor("x", 7, 2).withChecksum()));
        assertEquals("tensor 1 at byte 47: duplicate name 'x'",
                refusal(d, Raw.header().i32(2).tensor("x", 0, 2).tensor("x", 0, 2).withChecksum()));
        assertEquals("tensor 0 at byte 38 has a blank name", refusal(d, Raw.header().i32(1).tensor(" ", 0, 2)
                .withChecksum()));
        assertEquals("the name of tensor 0 at byte 38 is not valid UTF-8", refusal(d, Raw.header().i32(1).u16(2)
                .bytes(new byte[] {(byte) 0xC3, 0x28}).u8(0).u8(0).withChecksum()));
        assertEquals("duplicate metric 'loss' at byte 48", refusal(d, Raw.start(1).str("exp").i32(3).str("site")
                .i64(10).u16(2).str("loss").f64(1).str("loss").f64(2).i32(0).withChecksum()));
        assertEquals("truncated after 42 bytes while reading the name of tensor 0 (at byte 40)",
                refusal(d, Raw.header().i32(1).u16(5).bytes(new byte[] {'a', 'b'}).toBytes()));
    }

    @Test
    void aCorruptPayloadFailsTheChecksum() {
        byte[] bad = BYTES.clone();
        bad[BYTES.length - 100] ^= 0x10;
        String msg = refusal(WireLimits.defaults(), bad);
        assertTrue(msg.matches("checksum mismatch: the message says [0-9a-f]{8}, its " + (BYTES.length - 4)
                + " bytes give [0-9a-f]{8} \\(corrupted in transit or by the sender\\)"), msg);
    }

    @Test
    void limitsValidateAndBindFromSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WireLimits.defaults().withMaxRank(300));
        assertEquals("wire limit maxRank = 300 is outside [0, 255]", e.getMessage());
        WireLimits bound = WireLimits.schema().bind(Map.of("maxTensors", "12", "maxMessageBytes", 1000));
        assertEquals(WireLimits.defaults().withMaxTensors(12).withMaxMessageBytes(1000), bound);
        assertEquals(WireLimits.defaults(), WireLimits.schema().defaults());
        SettingsException se = assertThrows(SettingsException.class,
                () -> WireLimits.schema().bind(Map.of("maxNameLength", "70000")));
        assertTrue(se.getMessage().contains("maxNameLength"), se.getMessage());
    }
}
