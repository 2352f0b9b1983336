package org.fedfms.secagg.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA-256 (RFC 5869): turns a key-agreement secret into keys for one purpose each. */
public final class Hkdf {

    private static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    /** {@code length} bytes of key material from {@code secret}, bound to {@code info}. */
    public static byte[] derive(byte[] secret, String info, int length) {
        if (length <= 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output length " + length + " is outside 1.." + 255 * HASH_LENGTH);
        }
        try {
            byte[] prk = hmac(new byte[HASH_LENGTH], secret);
            byte[] infoBytes = info.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[length];
            byte[] block = new byte[0];
            int done = 0;
            for (int i = 1; done < length; i++) {
                byte[] input = new byte[block.length + infoBytes.length + 1];
                System.arraycopy(block, 0, input, 0, block.length);
                System.arraycopy(infoBytes, 0, input, block.length, infoBytes.length);
                input[input.length - 1] = (byte) i;
                block = hmac(prk, input);
                int n = Math.min(block.length, length - done);
                System.arraycopy(block, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
