package org.fedfms.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per second per site credential, as token buckets: each site may send {@code burst} requests at once
 * and then {@code perSecond} on average. Thread-safe; the clock is injectable for tests.
 */
public final class SiteRateLimiter {

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** A limiter of {@code perSecond} requests per second (0: no limit) with bursts of up to {@code burst}. */
    public SiteRateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("requests per second must be a finite number >= 0, got " + perSecond);
        }
        if (perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("the burst must be at least 1 request, got " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    public boolean limits() {
        return perSecond > 0;
    }

    public double perSecond() {
        return perSecond;
    }

    public int burst() {
        return burst;
    }

    /**
     * Takes a request of {@code site} from its bucket: 0 if it may go ahead, otherwise the nanoseconds until it
     * may (nothing is taken then).
     */
    public long acquire(String site) {
        if (perSecond <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(site, s -> new Bucket(burst, nanoClock.getAsLong())).take(this);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized long take(SiteRateLimiter l) {
            long now = l.nanoClock.getAsLong();
            tokens = Math.min(l.burst, tokens + (now - refilledAt) * l.perSecond / 1e9);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / l.perSecond * 1e9);
        }
    }
}
