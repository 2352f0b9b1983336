package org.fedfms.model;

import java.util.List;

/**
 * Tensors that do not fit a model, all of them: missing, unexpected and mis-shaped names, listed in
 * one message.
 */
public final class WeightLoadException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misshaped;

    public WeightLoadException(String subject, List<String> missing, List<String> unexpected,
            List<String> misshaped) {
        super(message(subject, missing, unexpected, misshaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misshaped = List.copyOf(misshaped);
    }

    private static String message(String subject, List<String> missing, List<String> unexpected,
            List<String> misshaped) {
        StringBuilder sb = new StringBuilder(subject).append(':');
        append(sb, missing, "missing");
        append(sb, unexpected, "unexpected");
        append(sb, misshaped, "mis-shaped");
        return sb.toString();
    }

    private static void append(StringBuilder sb, List<String> items, String what) {
        if (!items.isEmpty()) {
            sb.append("\n  ").append(items.size()).append(' ').append(what).append(": ")
                    .append(String.join(", ", items));
        }
    }

    /** Names the model has and the values lacked. */
    public List<String> missing() {
        return missing;
    }

    /** Names the values had and the model lacks. */
    public List<String> unexpected() {
        return unexpected;
    }

    /** {@code name: given [..], model [..]} for each shape mismatch. */
    public List<String> misshaped() {
        return misshaped;
    }
}
