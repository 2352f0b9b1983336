package org.fedfms.security;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random secrets (tokens, keystore passwords) as lower-case hex, from a {@link SecureRandom}. */
public final class RandomSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomSecrets() {
    }

    /** {@code bytes} random bytes in hex ({@code 2 * bytes} characters). */
    public static String hex(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }
}
