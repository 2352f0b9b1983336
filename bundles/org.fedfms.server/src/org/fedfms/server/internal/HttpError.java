package org.fedfms.server.internal;

/** A request refused with an HTTP status and a message for the caller. */
final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;

    HttpError(int status, String message) {
        super(message);
        this.status = status;
    }
}
