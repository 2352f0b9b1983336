package org.fedfms.api.settings;

import java.util.List;

/**
 * One setting as faces show it.
 *
 * @param key name used in {@code k=v} options, forms and JSON
 * @param label short label for forms
 * @param description what it means
 * @param type value type: Integer, Long, Double, Boolean, String or an enum
 * @param defaultValue value used when none is given
 * @param min smallest allowed numeric value (may be -infinity)
 * @param max largest allowed numeric value (may be +infinity)
 * @param choices allowed values of a text or enum setting, empty if any
 * @param minExclusive whether {@code min} itself is excluded
 * @param maxExclusive whether {@code max} itself is excluded
 */
public record SettingDescriptor(String key, String label, String description, Class<?> type, Object defaultValue,
        double min, double max, List<String> choices, boolean minExclusive, boolean maxExclusive) {

    public SettingDescriptor {
        choices = List.copyOf(choices);
    }

    /** Whether the type is numeric. */
    public boolean numeric() {
        return Number.class.isAssignableFrom(type);
    }

    /** Type name for help texts: int, long, double, boolean, text or one of a choice. */
    public String typeName() {
        if (type == Integer.class) {
            return "int";
        }
        if (type == Long.class) {
            return "long";
        }
        if (type == Double.class) {
            return "double";
        }
        if (type == Boolean.class) {
            return "boolean";
        }
        return choices.isEmpty() ? "text" : "choice";
    }

    /** Whether {@code x} lies within the numeric range (NaN never does). */
    public boolean inRange(double x) {
        return (minExclusive ? x > min : x >= min) && (maxExclusive ? x < max : x <= max);
    }

    /**
     * Range or choices as text, e.g. {@code [0, 1]}, {@code [0, 1)} (1 excluded) or {@code {a|b}}, empty if
     * unconstrained.
     */
    public String constraintText() {
        if (!choices.isEmpty()) {
            return "{" + String.join("|", choices) + "}";
        }
        if (numeric() && (min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY)) {
            return (minExclusive ? "(" : "[") + bound(min) + ", " + bound(max) + (maxExclusive ? ")" : "]");
        }
        return "";
    }

    private String bound(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if ((type == Integer.class || type == Long.class) && v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
