package org.fedfms.wire;

import java.util.List;

/**
 * A well-formed message whose tensors do not have the expected names or shapes (see
 * {@link HeaderCheck#layoutOf(org.fedfms.api.ParameterSet)}).
 */
public class WireLayoutException extends WireFormatException {

    private static final long serialVersionUID = 1L;

    private final List<String> differences;

    public WireLayoutException(String message, List<String> differences) {
        super(message);
        this.differences = List.copyOf(differences);
    }

    /** One line per difference, e.g. {@code 'w' has shape [3], expected [2]}, {@code missing 'b'}. */
    public List<String> differences() {
        return differences;
    }
}
