package org.fedfms.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A salted SHA-256 hash of a bearer token, written {@code sha256:<salt hex>:<hash hex>} where the hash is
 * SHA-256 over the salt bytes followed by the token's UTF-8 bytes. Operators make one with
 * {@code printf '%s' "$TOKEN" | (printf '%s' "$SALT" | xxd -r -p; cat) | sha256sum}, or with {@link #of}.
 */
public record TokenHash(byte[] salt, byte[] hash) {

    private static final String PREFIX = "sha256:";

    /** Parses the stored form; says what is wrong and where. */
    public static TokenHash parse(String text, String where) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException(where + ": a token hash must look like sha256:<salt hex>:<hash hex>");
        }
        String[] parts = text.substring(PREFIX.length()).split(":");
        try {
            if (parts.length != 2) {
                throw new IllegalArgumentException("two fields expected");
            }
            byte[] salt = HexFormat.of().parseHex(parts[0].trim());
            byte[] hash = HexFormat.of().parseHex(parts[1].trim());
            if (salt.length < 8 || hash.length != 32) {
                throw new IllegalArgumentException("salt of at least 8 bytes and a 32-byte hash expected");
            }
            return new TokenHash(salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": bad token hash (" + e.getMessage()
                    + "); expected sha256:<salt hex>:<hash hex>", e);
        }
    }

    /** Hashes {@code token} with a fresh random 16-byte salt. */
    public static TokenHash of(String token) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new TokenHash(salt, digest(salt, token));
    }

    /** Whether {@code token} hashes to this (constant time in the hash). */
    public boolean matches(String token) {
        return token != null && MessageDigest.isEqual(hash, digest(salt, token));
    }

    /** The stored form. */
    public String text() {
        return PREFIX + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(hash);
    }

    private static byte[] digest(byte[] salt, String token) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            return md.digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
