package org.fedfms.product.it;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The coordinator's stored form of a token, as an operator makes it: {@code sha256:<salt hex>:<hash hex>}. */
final class TokenHashes {

    private TokenHashes() {
    }

    static String of(String token) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            byte[] hash = md.digest(token.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
