package org.fedfms.wire.protocol;

/** A protocol message that is not valid JSON or not of the expected shape; the message names the field. */
public final class ProtocolException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final boolean invalidValue;

    public ProtocolException(String message) {
        this(message, false);
    }

    /** @param invalidValue whether the JSON is well formed but holds a value out of range (e.g. not finite) */
    public ProtocolException(String message, boolean invalidValue) {
        super(message);
        this.invalidValue = invalidValue;
    }

    /** Whether the body is well formed but a value is out of range (HTTP 422 rather than 400). */
    public boolean invalidValue() {
        return invalidValue;
    }
}
