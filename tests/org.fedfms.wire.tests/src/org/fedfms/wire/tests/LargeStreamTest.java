package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 50 M fp32 values (200 MB) streamed from an encoder thread through a pipe into a decoder: the heap
 * grows by the decoded tensors plus the fixed buffers, not by a second copy of the message.
 */
class LargeStreamTest {

    private static final int TENSORS = 10;
    private static final int PER_TENSOR = 5_000_000;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fiftyMillionFloatsStreamThroughAPipeWithBoundedExtraHeap() throws Exception {
        ParameterSet.Builder b = ParameterSet.builder();
        for (int t = 0; t < TENSORS; t++) {
            float[] v = new float[PER_TENSOR];
            for (int i = 0; i < v.length; i++) {
                v[i] = Float.intBitsToFloat(0x3C00_0000 + i * 7 + t);
            }
            b.add(Tensor.of("blocks." + t + ".weight", new int[] {PER_TENSOR / 1000, 1000}, v));
        }
        ParameterSet source = b.build();
        long payload = source.sizeInBytes();
        WireMessage message = WireMessage.update("big", 1, "site", 100, Metrics.empty(), source);
        long size = WireEncoder.fp32().encodedSize(message);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        Thread.sleep(200);
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap sampler");
        sampler.setDaemon(true);
        sampler.start();

        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream pipe = new PipedOutputStream(in);
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = pipe) {
                written.set(WireEncoder.fp32().encode(message, out));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        WireMessage decoded = WireDecoder.withDefaults().decode(in, HeaderCheck.layoutOf(source));
        writer.get(1, TimeUnit.MINUTES);
        sampling.set(false);
        sampler.join();
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);

        assertEquals(size, written.get());
        Fixtures.assertSameBits(source, decoded.parameters());
        long extra = peak.get() - baseline;
        System.out.printf("large stream: %d MB payload, %d MB message, heap grew by at most %d MB (%.2fx payload)%n",
                payload >> 20, size >> 20, extra >> 20, (double) extra / payload);
        assertTrue(extra < 1.5 * payload, "heap grew by " + (extra >> 20) + " MB while streaming " + (payload >> 20)
                + " MB (limit 1.5x the payload)");
        assertTrue(extra >= payload, "the decoded tensors themselves are on the heap: " + (extra >> 20) + " MB");
    }
}
