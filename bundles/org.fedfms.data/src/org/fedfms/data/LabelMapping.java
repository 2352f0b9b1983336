package org.fedfms.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * How the values stored in a mask file become classes. Three forms of the {@code labelValues}
 * setting: empty (value v is class v, and for two classes 255 is class 1, as in 0/255 masks),
 * {@code nonzero} (every non-zero value is class 1) or a list such as {@code 0,128,255} (the i-th
 * value is class i). Any other value in a mask is an error naming the file.
 */
public final class LabelMapping {

    /** The {@code labelValues} setting's description, for settings records. */
    public static final String SETTING_DESCRIPTION = "mask values in class order, e.g. 0,128,255; 'nonzero' makes "
            + "every non-zero value class 1; empty: value v is class v (and 255 is class 1 for two classes)";

    private final int classes;
    private final Map<Long, Integer> explicit;
    private final boolean nonzero;

    private LabelMapping(int classes, Map<Long, Integer> explicit, boolean nonzero) {
        this.classes = classes;
        this.explicit = explicit;
        this.nonzero = nonzero;
    }

    /**
     * Parses the {@code labelValues} setting.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static LabelMapping parse(int classes, String labelValues) {
        if (classes < 2 || classes > 256) {
            throw new IllegalArgumentException("classes must be within 2..256, got " + classes);
        }
        String text = labelValues == null ? "" : labelValues.trim();
        if (text.isEmpty()) {
            return new LabelMapping(classes, null, false);
        }
        if (text.equalsIgnoreCase("nonzero")) {
            if (classes != 2) {
                throw new IllegalArgumentException("labelValues=nonzero gives 2 classes, but classes=" + classes);
            }
            return new LabelMapping(2, null, true);
        }
        Map<Long, Integer> m = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            long v;
            try {
                v = Long.parseLong(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("labelValues '" + text + "': '" + part.trim() + "' is not a whole number");
            }
            if (m.putIfAbsent(v, m.size()) != null) {
                throw new IllegalArgumentException("labelValues '" + text + "' lists " + v + " twice");
            }
        }
        if (m.size() != classes) {
            throw new IllegalArgumentException("labelValues '" + text + "' lists " + m.size() + " values but classes="
                    + classes);
        }
        return new LabelMapping(classes, m, false);
    }

    /**
     * Stored values chosen by name (nnU-Net, Decathlon): {@code chosen.get(i)} is class i+1, every
     * other value of {@code known} is background.
     *
     * @throws IllegalArgumentException if a chosen value is not known or chosen twice
     */
    public static LabelMapping chosen(List<Long> known, List<Long> chosen) {
        if (chosen.size() + 1 > 256) {
            throw new IllegalArgumentException(chosen.size() + " labels chosen; at most 255 fit");
        }
        Map<Long, Integer> m = new LinkedHashMap<>();
        known.forEach(v -> m.put(v, 0));
        for (int i = 0; i < chosen.size(); i++) {
            if (!m.containsKey(chosen.get(i)) || m.get(chosen.get(i)) != 0) {
                throw new IllegalArgumentException("label value " + chosen.get(i) + " is unknown or chosen twice");
            }
            m.put(chosen.get(i), i + 1);
        }
        return new LabelMapping(chosen.size() + 1, m, false);
    }

    public int classes() {
        return classes;
    }

    /** The class of a stored value, or -1 if the value is not a label. */
    public int classOf(double value) {
        if (value != Math.rint(value) || Double.isInfinite(value)) {
            return -1;
        }
        long v = (long) value;
        if (explicit != null) {
            Integer c = explicit.get(v);
            return c == null ? -1 : c;
        }
        if (nonzero) {
            return v == 0 ? 0 : 1;
        }
        if (v >= 0 && v < classes) {
            return (int) v;
        }
        return classes == 2 && v == 255 ? 1 : -1;
    }

    /** The accepted values, for messages. */
    public String expected() {
        if (explicit != null) {
            List<String> l = new ArrayList<>();
            explicit.keySet().forEach(v -> l.add(Long.toString(v)));
            return String.join(",", l);
        }
        if (nonzero) {
            return "any (non-zero is class 1)";
        }
        return "0.." + (classes - 1) + (classes == 2 ? " or 0/255" : "");
    }

    /**
     * Maps {@code height × width} stored values to classes.
     *
     * @param value the stored value of pixel i (row-major)
     * @param where the file, for the message
     * @throws IOException naming the file, how many pixels are not labels and the first of them
     */
    public byte[] map(int height, int width, IntToDoubleFunction value, String where) throws IOException {
        int n = height * width;
        byte[] mask = new byte[n];
        int bad = 0;
        int first = -1;
        double firstValue = 0;
        for (int i = 0; i < n; i++) {
            double v = value.applyAsDouble(i);
            int c = classOf(v);
            if (c < 0) {
                if (bad++ == 0) {
                    first = i;
                    firstValue = v;
                }
            } else {
                mask[i] = (byte) c;
            }
        }
        if (bad > 0) {
            throw new IOException(where + ": " + bad + (bad == 1 ? " mask pixel has a value that is not a label"
                    : " mask pixels have values that are not labels") + " (first: " + format(firstValue) + " at row "
                    + first / width + ", column " + first % width + "); expected " + expected()
                    + " (see the classes and labelValues settings)");
        }
        return mask;
    }

    private static String format(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
