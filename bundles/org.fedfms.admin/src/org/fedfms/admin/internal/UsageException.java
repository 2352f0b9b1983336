package org.fedfms.admin.internal;

/** Wrong arguments or configuration: the message says what is wrong; the program exits with status 2. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
