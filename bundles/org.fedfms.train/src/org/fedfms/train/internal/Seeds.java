package org.fedfms.train.internal;

import java.nio.charset.StandardCharsets;

/** Seeds derived from the experiment seed, the round and the site alone, so that a round can be repeated. */
final class Seeds {

    private Seeds() {
    }

    /** The seed of one site's work in one round ({@code purpose} tells streams of the same round apart). */
    static long of(long seed, int round, String siteId, long purpose) {
        return mix(mix(mix(seed, round), text(siteId)), purpose);
    }

    /** A stable 64-bit hash of a text (FNV-1a over its UTF-8 bytes). */
    static long text(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 of {@code a} combined with {@code b}. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
