package org.fedfms.wire;

import java.io.IOException;

/**
 * A message that is not a valid FedFMS wire message: bad magic, unknown version or dtype, a limit
 * exceeded, truncated, checksum mismatch. The message says what was wrong and where (byte offset,
 * tensor name). Failures of the underlying stream itself stay plain {@link IOException}s.
 */
public class WireFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
