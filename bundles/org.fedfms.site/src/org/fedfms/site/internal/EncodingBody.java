package org.fedfms.site.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * An HTTP request body that encodes a {@link WireMessage} while it is sent: an encoder thread writes the message
 * into a few recycled chunks, the HTTP client reads them as they fill; the message is never held whole in memory.
 * The body has the exact Content-Length of the encoding; each subscription (a retried request) encodes afresh.
 */
public final class EncodingBody {

    /** Bytes per chunk between the encoder and the HTTP client. */
    public static final int CHUNK_BYTES = 256 * 1024;
    /** Chunks in flight: the encoder is at most this many chunks ahead of the network. */
    public static final int CHUNKS = 4;
    /** How long the encoder waits for the HTTP client to take a chunk before it gives the request up. */
    static final long IDLE_SECONDS = 300;

    private EncodingBody() {
    }

    /** The request body of {@code message} encoded by {@code encoder}. */
    public static HttpRequest.BodyPublisher publisher(WireEncoder encoder, WireMessage message) {
        long size = encoder.encodedSize(message);
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                () -> stream(encoder, message, CHUNK_BYTES, CHUNKS)), size);
    }

    /** Starts encoding {@code message} on its own thread; the stream yields its bytes in order. */
    public static Stream stream(WireEncoder encoder, WireMessage message, int chunkBytes, int chunks) {
        Stream s = new Stream(chunkBytes, chunks);
        Thread t = new Thread(() -> s.produce(encoder, message), "fedfms-encode-" + message.siteId() + "-r"
                + message.round());
        t.setDaemon(true);
        s.producer = t;
        t.start();
        return s;
    }

    /** The encoded bytes of one message, produced by an encoder thread into recycled chunks. */
    public static final class Stream extends InputStream {

        private static final byte[] END = new byte[0];

        private final BlockingQueue<byte[]> free;
        private final BlockingQueue<byte[]> full;
        private final BlockingQueue<Integer> lengths;
        private final AtomicLong encoded = new AtomicLong();
        private volatile Throwable failure;
        private volatile Thread producer;
        private byte[] current;
        private int currentLength;
        private int position;
        private boolean ended;

        private Stream(int chunkBytes, int chunks) {
            free = new ArrayBlockingQueue<>(chunks);
            full = new ArrayBlockingQueue<>(chunks + 1);
            lengths = new ArrayBlockingQueue<>(chunks + 1);
            for (int i = 0; i < chunks; i++) {
                free.add(new byte[chunkBytes]);
            }
        }

        /** Bytes the encoder has written so far (read or waiting in chunks). */
        public long bytesEncoded() {
            return encoded.get();
        }

        /** The encoder thread. */
        public Thread producer() {
            return producer;
        }

        private void produce(WireEncoder encoder, WireMessage message) {
            try (ChunkOutput out = new ChunkOutput()) {
                encoder.encode(message, out);
            } catch (InterruptedIOException e) {
                return;
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
            }
            try {
                full.put(END);
                lengths.put(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Fills free chunks and hands them over full. */
        private final class ChunkOutput extends OutputStream {
            private byte[] chunk;
            private int length;

            private void next() throws InterruptedIOException {
                try {
                    if (chunk != null) {
                        full.put(chunk);
                        lengths.put(length);
                    }
                    chunk = free.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                    if (chunk == null) {
                        throw new InterruptedIOException("nobody read the encoded update for " + IDLE_SECONDS
                                + " s (the request was abandoned)");
                    }
                    length = 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("encoding stopped");
                }
            }

            @Override
            public void write(int b) throws IOException {
                if (chunk == null || length == chunk.length) {
                    next();
                }
                chunk[length++] = (byte) b;
                encoded.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (chunk == null || length == chunk.length) {
                        next();
                    }
                    int n = Math.min(len, chunk.length - length);
                    System.arraycopy(b, off, chunk, length, n);
                    length += n;
                    off += n;
                    len -= n;
                    encoded.addAndGet(n);
                }
            }

            @Override
            public void close() throws IOException {
                if (chunk != null && length > 0) {
                    try {
                        full.put(chunk);
                        lengths.put(length);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("encoding stopped");
                    }
                }
                chunk = null;
            }
        }

        private boolean fill() throws IOException {
            if (ended) {
                return false;
            }
            if (current != null && position < currentLength) {
                return true;
            }
            if (current != null) {
                free.add(current);
                current = null;
            }
            try {
                byte[] c = full.take();
                int n = lengths.take();
                if (c == END) {
                    ended = true;
                    if (failure != null) {
                        throw new IOException("encoding the update failed: " + failure.getMessage(), failure);
                    }
                    return false;
                }
                current = c;
                currentLength = n;
                position = 0;
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the update was encoded");
            }
        }

        @Override
        public int read() throws IOException {
            return fill() ? current[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, currentLength - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }

        /** Stops the encoder if it is still running. */
        @Override
        public void close() {
            ended = true;
            Thread t = producer;
            if (t != null && t.isAlive()) {
                t.interrupt();
            }
        }
    }
}
