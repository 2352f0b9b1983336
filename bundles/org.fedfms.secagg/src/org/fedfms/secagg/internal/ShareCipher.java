package org.fedfms.secagg.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM between two sites, keyed by HKDF over their X25519 secret; the associated data binds each ciphertext
 * to its round, sender and recipient, so a ciphertext moved to another pair or round fails its tag.
 */
public final class ShareCipher {

    /** Nonce bytes prepended to each ciphertext. */
    public static final int NONCE_BYTES = 12;

    private static final int TAG_BITS = 128;

    private ShareCipher() {
    }

    /** Nonce followed by ciphertext and tag. */
    public static byte[] seal(byte[] agreedSecret, String context, byte[] plaintext, SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, agreedSecret, context, nonce);
            byte[] sealed = gcm.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JDK", e);
        }
    }

    /**
     * The plaintext of {@code sealed}.
     *
     * @throws IllegalArgumentException if the tag does not verify (tampered ciphertext, wrong key, wrong context)
     */
    public static byte[] open(byte[] agreedSecret, String context, byte[] sealed) {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("a sealed share of " + sealed.length + " bytes is too short");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        System.arraycopy(sealed, 0, nonce, 0, NONCE_BYTES);
        try {
            return cipher(Cipher.DECRYPT_MODE, agreedSecret, context, nonce)
                    .doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the AES-GCM tag does not verify (tampered ciphertext or wrong key)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JDK", e);
        }
    }

    private static Cipher cipher(int mode, byte[] secret, String context, byte[] nonce) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, new SecretKeySpec(Hkdf.derive(secret, "fedfms secagg share key", 32), "AES"),
                new GCMParameterSpec(TAG_BITS, nonce));
        gcm.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return gcm;
    }
}
