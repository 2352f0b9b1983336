package org.fedfms.secagg.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Expands a 32-byte seed into a mask of ring elements of Z_2^64 with AES-256 in counter mode. */
public final class MaskGenerator {

    private static final int CHUNK_LONGS = 8192;

    private MaskGenerator() {
    }

    /** Adds ({@code sign} = +1) or subtracts ({@code sign} = -1) the mask of {@code seed} into {@code vector}. */
    public static void apply(byte[] seed, int sign, long[] vector) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("a mask seed has 32 bytes, not " + seed.length);
        }
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            byte[] zeros = new byte[CHUNK_LONGS * Long.BYTES];
            byte[] stream = new byte[zeros.length];
            for (int start = 0; start < vector.length; start += CHUNK_LONGS) {
                int n = Math.min(CHUNK_LONGS, vector.length - start);
                aes.update(zeros, 0, n * Long.BYTES, stream, 0);
                ByteBuffer buffer = ByteBuffer.wrap(stream, 0, n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    long m = buffer.getLong();
                    vector[start + i] += sign > 0 ? m : -m;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR is missing from this JDK", e);
        }
    }
}
