package org.fedfms.secagg;

/** A secure-aggregation round cannot go on: too few sites or shares, a ciphertext or share that fails its check. */
public class SecureAggregationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message that says what failed, for which site and round. */
    public SecureAggregationException(String message) {
        super(message);
    }

    /** With the check that failed underneath. */
    public SecureAggregationException(String message, Throwable cause) {
        super(message, cause);
    }
}
