package org.fedfms.server.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.fedfms.api.ParameterSet;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * The parameters sites download, encoded once per experiment and round and served to every site from
 * the same bytes: the sites of a round mostly download the same global model, and encoding it again for
 * each (conversion, checksum) would cost the coordinator as much as serving it. The message names no
 * receiving site (the wire format allows that for global parameters). Only the newest message of each
 * experiment is kept, so the cache holds at most one encoded model per running experiment. Thread-safe: the
 * first download of a message encodes it, the others of that moment wait for it.
 */
final class SharedDownloads {

    /** Chunk size of an encoded message: large writes, and no single array limits the model size. */
    static final int CHUNK_BYTES = 4 << 20;

    /** An encoded message as chunks of at most {@link #CHUNK_BYTES}, to be read only. */
    record Encoded(List<byte[]> chunks, long size) {
    }

    private record Entry(ParameterSet parameters, int round, AtomicBoolean claimed,
            CompletableFuture<Encoded> encoded) {
    }

    private final WireEncoder encoder;
    private final Map<String, Entry> newest = new ConcurrentHashMap<>();

    SharedDownloads(WireEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * The encoded global message of {@code parameters} for {@code round} of {@code experiment}; encodes
     * it unless it is the newest message of the experiment already.
     */
    Encoded get(String experiment, int round, ParameterSet parameters) {
        Entry entry = newest.compute(experiment, (k, old) -> old != null && old.parameters() == parameters
                && old.round() == round && !old.encoded().isCompletedExceptionally() ? old
                        : new Entry(parameters, round, new AtomicBoolean(), new CompletableFuture<>()));
        if (entry.claimed().compareAndSet(false, true)) {
            try {
                entry.encoded().complete(encode(WireMessage.global(experiment, round, "", parameters)));
            } catch (RuntimeException e) {
                entry.encoded().completeExceptionally(e);
                throw e;
            }
        }
        return entry.encoded().join();
    }

    /** Lets go of the experiment's message (its run ended). */
    void forget(String experiment) {
        newest.remove(experiment);
    }

    /** {@code message} encoded, not kept (e.g. a delta for one site). */
    Encoded encode(WireMessage message) {
        ChunkedBytes out = new ChunkedBytes();
        try {
            encoder.encode(message, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Encoded(out.chunks(), out.size);
    }

    /** An output stream into a list of fixed-size arrays. */
    private static final class ChunkedBytes extends OutputStream {
        private final List<byte[]> chunks = new ArrayList<>();
        private byte[] current;
        private int used;
        private long size;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (current == null || used == current.length) {
                    close();
                    current = new byte[CHUNK_BYTES];
                    used = 0;
                }
                int n = Math.min(len, current.length - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                size += n;
            }
        }

        @Override
        public void close() {
            if (current != null) {
                chunks.add(used == current.length ? current : java.util.Arrays.copyOf(current, used));
                current = null;
            }
        }

        List<byte[]> chunks() {
            close();
            return chunks;
        }
    }
}
