package org.fedfms.wire.protocol;

import org.fedfms.wire.ParameterDigest;

/**
 * How parameters travel as deltas between a coordinator and a site agent under a lossy
 * {@link org.fedfms.wire.TransferEncoding}. The wire message holds a delta like any parameters; which base it is
 * against travels beside it, as the {@link ParameterDigest} of that base:
 * <ul>
 * <li>a download ({@code GET .../tasks/T/parameters?holds=DIGEST}) names the global the site holds; the
 * coordinator answers with a delta against it, saying so in the {@link #BASE_HEADER} response header, or with
 * the parameters in full (no such header) when its record of what the site holds differs or is gone;</li>
 * <li>an update ({@code POST .../tasks/T/update}) that is a delta against the global the site trained from
 * carries that global's digest in the {@link #BASE_HEADER} request header.</li>
 * </ul>
 * Both sides decode the same bytes and add them to the same base, so both hold the same result.
 */
public final class DeltaTransfer {

    /** The header naming the digest of the base a message is a delta against. */
    public static final String BASE_HEADER = "Fedfms-Delta-Base";
    /** The download query parameter naming the digest of the global the site holds. */
    public static final String HOLDS_QUERY = "holds";

    private DeltaTransfer() {
    }

    /**
     * A digest as received in a header or query, checked.
     *
     * @throws ProtocolException naming {@code where} if it is not a SHA-256 in 64 lower-case hex digits
     */
    public static String digest(String text, String where) {
        if (text == null || !ParameterDigest.isDigest(text)) {
            throw new ProtocolException(where + " must be a SHA-256 in 64 lower-case hex digits");
        }
        return text;
    }
}
