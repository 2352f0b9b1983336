package org.fedfms.wire.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * What a bearer token of the site protocol must be: at least {@value #MIN_LENGTH} characters and none of the
 * placeholders that example configurations ship with. Both ends refuse to start with a token that is not.
 */
public final class Credentials {

    /** Fewest characters a token may have. */
    public static final int MIN_LENGTH = 16;

    private static final List<String> PLACEHOLDERS = List.of("change-me", "changeme", "change-me-admin",
            "change-me-site", "secret", "password", "admin", "token", "test", "example", "placeholder");

    private Credentials() {
    }

    /** Why {@code token} (configured under {@code key}) may not be used, or {@code null} if it may. */
    public static String problem(String token, String key) {
        String t = token == null ? "" : token.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("change-me") || lower.startsWith("changeme") || lower.contains("paste-")
                || PLACEHOLDERS.contains(lower)) {
            return "'" + key + "' is a placeholder ('" + t + "'): set a real token of at least " + MIN_LENGTH
                    + " random characters";
        }
        if (t.length() < MIN_LENGTH) {
            return "'" + key + "' is too short (" + t.length() + " characters): a token needs at least "
                    + MIN_LENGTH;
        }
        return null;
    }

    /**
     * The placeholder a stored hash was made from, or {@code null}: {@code matches} tells whether a candidate
     * hashes to it; {@code siteId} adds the per-site examples ({@code change-me-site-0} for site-0).
     */
    public static String placeholderOf(Predicate<String> matches, String siteId) {
        List<String> candidates = new ArrayList<>(PLACEHOLDERS);
        if (siteId != null) {
            candidates.add("change-me-" + siteId);
            candidates.add("change-me-site-" + siteId);
            candidates.add(siteId);
        }
        for (int i = 0; i < 10; i++) {
            candidates.add("change-me-site-" + i);
        }
        for (String c : candidates) {
            if (matches.test(c)) {
                return c;
            }
        }
        return null;
    }
}
