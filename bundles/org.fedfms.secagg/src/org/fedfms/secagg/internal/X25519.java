package org.fedfms.secagg.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;

import javax.crypto.KeyAgreement;

/**
 * The JDK's X25519 with keys as 32 raw bytes: private keys as their scalar, public keys as the little-endian
 * u-coordinate (RFC 7748), so they can be Shamir-shared and sent as plain bytes.
 */
public final class X25519 {

    /** Length of keys and shared secrets in bytes. */
    public static final int KEY_BYTES = 32;

    private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

    private X25519() {
    }

    /** A fresh key pair: {@code [private scalar, public u]}, 32 bytes each. */
    public static byte[][] generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar()
                    .orElseThrow(() -> new IllegalStateException("the JDK did not expose the X25519 scalar"));
            return new byte[][] { scalar, littleEndian(((XECPublicKey) pair.getPublic()).getU()) };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    /** The public key of {@code privateKey} (its scalar times the base point). */
    public static byte[] publicKey(byte[] privateKey) {
        return agree(privateKey, littleEndian(BASE_POINT));
    }

    /**
     * The shared secret of {@code privateKey} and {@code publicKey}.
     *
     * @throws IllegalArgumentException if the public key is malformed or of low order
     */
    public static byte[] agree(byte[] privateKey, byte[] publicKey) {
        if (privateKey.length != KEY_BYTES || publicKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 key has " + KEY_BYTES + " bytes, not "
                    + (privateKey.length != KEY_BYTES ? privateKey.length : publicKey.length));
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey)));
            agreement.doPhase(factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                    fromLittleEndian(publicKey))), true);
            return agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 key agreement refused the key: " + e.getMessage(), e);
        }
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] big = u.toByteArray();
        byte[] out = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < big.length; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    private static BigInteger fromLittleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }
}
