package org.fedfms.privacy;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Standard normal samples from a cryptographically strong generator (the JDK's DRBG), drawn in blocks
 * and turned into pairs of normals by the Box–Muller transform. Not thread-safe.
 */
final class SecureGaussian {

    private static final int BLOCK_BYTES = 1 << 16;
    private static final double TWO_TO_MINUS_53 = 0x1.0p-53;

    private final SecureRandom random;
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES);
    private double spare = Double.NaN;

    SecureGaussian() {
        this(strongRandom());
    }

    SecureGaussian(SecureRandom random) {
        this.random = random;
        block.position(BLOCK_BYTES);
    }

    private static SecureRandom strongRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    double next() {
        if (!Double.isNaN(spare)) {
            double s = spare;
            spare = Double.NaN;
            return s;
        }
        double u1 = 1.0 - uniform(); // in (0, 1]
        double u2 = uniform();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * Math.sin(theta);
        return r * Math.cos(theta);
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    private double uniform() {
        if (block.remaining() < Long.BYTES) {
            random.nextBytes(block.array());
            block.clear();
        }
        return (block.getLong() >>> 11) * TWO_TO_MINUS_53;
    }
}
