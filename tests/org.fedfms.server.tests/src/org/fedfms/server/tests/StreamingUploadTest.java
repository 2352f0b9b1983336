package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.ObjectName;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.site.internal.EncodingBody;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

/**
 * The site agent's upload body is encoded while it is sent: the encoder runs at most a few chunks ahead of the
 * reader, allocates no message-sized buffer, and the bytes still pass the decoder's checksum.
 */
class StreamingUploadTest {

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 4;

    /** A 32 MiB update: two large tensors and a small one. */
    private static WireMessage update() {
        float[] a = new float[4 << 20];
        float[] b = new float[4 << 20];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(i * 0.001);
            b[i] = i % 977 - 488.5f;
        }
        ParameterSet p = ParameterSet.builder().add("encoder.adapter.weight", new int[] {4096, 1024}, a)
                .add("decoder.weight", new int[] {4 << 20}, b).add("decoder.bias", new int[] {3}, new float[] {1, 2, 3})
                .build();
        return WireMessage.update("stream", 4, "site-0", 120, new Metrics(Map.of("loss", 0.25)), p);
    }

    private static long allocatedBytes(Thread t) throws Exception {
        Object v = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("java.lang:type=Threading"),
                "getThreadAllocatedBytes", new Object[] {t.getId()}, new String[] {"long"});
        return (Long) v;
    }

    @Test
    void theEncoderStaysAFewChunksAheadOfTheReader() throws Exception {
        WireMessage m = update();
        long size = WireEncoder.fp32().encodedSize(m);
        try (EncodingBody.Stream s = EncodingBody.stream(WireEncoder.fp32(), m, CHUNK, CHUNKS)) {
            CoordinatorHarness.awaitTrue(() -> s.producer().getState() == Thread.State.TIMED_WAITING,
                    "the encoder blocks while nobody reads");
            assertTrue(s.bytesEncoded() <= (long) CHUNKS * CHUNK, "encoded ahead: " + s.bytesEncoded() + " of " + size);
            assertTrue(s.bytesEncoded() > 0);
        }
    }

    @Test
    void theUploadBodyIsEncodedWithoutAMessageSizedBufferAndPassesTheChecksum() throws Exception {
        WireMessage m = update();
        long size = WireEncoder.fp32().encodedSize(m);
        assertTrue(size > 32_000_000, "a message of " + size + " bytes");
        assertEquals(size, EncodingBody.publisher(WireEncoder.fp32(), m).contentLength(),
                "the request carries the exact Content-Length");

        EncodingBody.Stream s = EncodingBody.stream(WireEncoder.fp32(), m, CHUNK, CHUNKS);
        Thread producer = s.producer();
        long[] maxAllocated = {0};
        long[] encodedAtSample = {0};
        InputStream sampled = new FilterInputStream(s) {
            private long read;
            private long nextSample;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    read += n;
                    if (read >= nextSample && producer.isAlive()) {
                        try {
                            maxAllocated[0] = Math.max(maxAllocated[0], allocatedBytes(producer));
                            encodedAtSample[0] = s.bytesEncoded();
                        } catch (Exception e) {
                            throw new IOException(e);
                        }
                        nextSample = read + CHUNK;
                    }
                }
                return n;
            }
        };
        WireMessage decoded = WireDecoder.withDefaults().decode(sampled, HeaderCheck.messageBytes(size));
        assertTrue(decoded.parameters().equalsWithin(m.parameters(), 0), "the decoded update equals the sent one");
        assertEquals(120, decoded.sampleCount());
        assertEquals(0.25, decoded.metrics().get("loss").getAsDouble());
        assertTrue(encodedAtSample[0] > size * 9 / 10, "sampled late: " + encodedAtSample[0] + " of " + size);
        assertTrue(maxAllocated[0] < size / 8, "the encoder thread allocated " + maxAllocated[0] + " bytes for a "
                + size + "-byte message (chunks " + CHUNKS + " x " + CHUNK + " and the encoder's buffer)");
    }

    @Test
    void aBrokenStreamFailsTheChecksum() throws Exception {
        WireMessage m = update();
        long size = WireEncoder.fp32().encodedSize(m);
        try (EncodingBody.Stream s = EncodingBody.stream(WireEncoder.fp32(), m, CHUNK, CHUNKS)) {
            InputStream flipped = new FilterInputStream(s) {
                private long at;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0 && at <= size / 2 && at + n > size / 2) {
                        b[off + (int) (size / 2 - at)] ^= 1;
                    }
                    at += Math.max(n, 0);
                    return n;
                }
            };
            WireFormatException e = assertThrows(WireFormatException.class,
                    () -> WireDecoder.withDefaults().decode(flipped, HeaderCheck.messageBytes(size)));
            assertTrue(e.getMessage().toLowerCase().contains("checksum"), e.getMessage());
        }
    }
}
