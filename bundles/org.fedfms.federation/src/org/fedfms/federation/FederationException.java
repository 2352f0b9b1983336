package org.fedfms.federation;

/**
 * An experiment operation that could not be done, or a round that could not complete; the message says
 * which experiment, which round, what went wrong and what to do.
 */
public class FederationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FederationException(String message) {
        super(message);
    }

    public FederationException(String message, Throwable cause) {
        super(message, cause);
    }
}
