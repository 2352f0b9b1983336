package org.fedfms.server.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * An upload's body that must keep arriving at a minimum average rate once a grace period has passed: a body that
 * crawls (a slow link or a site holding its upload slot on purpose) ends with {@link TooSlow} and frees the slot.
 */
final class RateCheckedInput extends FilterInputStream {

    /** The body arrived slower than the minimum rate. */
    static final class TooSlow extends IOException {
        private static final long serialVersionUID = 1L;

        TooSlow(String message) {
            super(message);
        }
    }

    private final long minBytesPerSecond;
    private final long graceNanos;
    private final LongSupplier nanos;
    private final long start;
    private long bytes;

    RateCheckedInput(InputStream in, long minBytesPerSecond, int graceSeconds, LongSupplier nanos) {
        super(in);
        this.minBytesPerSecond = minBytesPerSecond;
        this.graceNanos = graceSeconds * 1_000_000_000L;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        counted(b < 0 ? 0 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        counted(Math.max(0, n));
        return n;
    }

    private void counted(int n) throws IOException {
        bytes += n;
        if (minBytesPerSecond <= 0) {
            return;
        }
        long elapsed = nanos.getAsLong() - start;
        if (elapsed > graceNanos && bytes * 1_000_000_000.0 / elapsed < minBytesPerSecond) {
            throw new TooSlow("the update arrived at " + Math.round(bytes * 1e9 / elapsed) + " bytes/s, below the "
                    + "minimum of " + minBytesPerSecond + " bytes/s (limits.minUploadBytesPerSecond) after "
                    + graceNanos / 1_000_000_000L + " s (limits.uploadGraceSeconds); send it again");
        }
    }
}
