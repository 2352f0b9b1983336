package org.fedfms.federation.internal;

/** A round that could not complete; the kind says what becomes of the experiment. */
final class RoundAbort extends RuntimeException {

    private static final long serialVersionUID = 1L;

    enum Kind {
        /** Something present now may be absent or wrong; fixing it and resuming goes on. */
        PAUSE,
        /** The experiment cannot run as specified. */
        FAIL,
        /** Cancelled on request. */
        CANCEL
    }

    private final Kind kind;

    private RoundAbort(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    static RoundAbort pause(String message) {
        return new RoundAbort(Kind.PAUSE, message, null);
    }

    static RoundAbort pause(String message, Throwable cause) {
        return new RoundAbort(Kind.PAUSE, message, cause);
    }

    static RoundAbort fail(String message, Throwable cause) {
        return new RoundAbort(Kind.FAIL, message, cause);
    }

    static RoundAbort cancel(String message) {
        return new RoundAbort(Kind.CANCEL, message, null);
    }

    Kind kind() {
        return kind;
    }
}
