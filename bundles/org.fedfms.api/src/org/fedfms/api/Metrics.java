package org.fedfms.api;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Named scalar metrics (loss, dice, iou, ...), in insertion order.
 *
 * @param values metric name to value
 */
public record Metrics(Map<String, Double> values) {

    /**
     * A count, not a score: how many of the scored items (images, or image and label pairs) had the label
     * absent from both prediction and ground truth, so that their scores are NaN and left out of the means.
     * {@link #weightedMean} adds counts up instead of averaging them.
     */
    public static final String EMPTY_COUNT = "empty";

    private static final Metrics NONE = new Metrics(Map.of());

    public Metrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Metrics empty() {
        return NONE;
    }

    /** Metrics from alternating names and values: {@code of("loss", 0.3, "dice", 0.8)}. */
    public static Metrics of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).doubleValue());
        }
        return new Metrics(m);
    }

    public OptionalDouble get(String name) {
        Double v = values.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public Metrics with(String name, double value) {
        LinkedHashMap<String, Double> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Metrics(m);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Whether the metric is a count ({@link #EMPTY_COUNT}, or prefixed: {@code val_empty}): summed, not averaged. */
    public static boolean isCount(String name) {
        return EMPTY_COUNT.equals(name) || name.endsWith("_" + EMPTY_COUNT);
    }

    /**
     * The mean of each metric over {@code items}, weighted by {@code weight}; a metric missing from an
     * item, or NaN there (a label absent from both prediction and ground truth), does not count for that
     * item; a metric NaN in every item is NaN. Counts ({@link #isCount}) are summed, unweighted.
     */
    public static <T> Metrics weightedMean(Collection<T> items, java.util.function.Function<T, Metrics> metrics,
            ToDoubleFunction<T> weight) {
        LinkedHashMap<String, double[]> acc = new LinkedHashMap<>();
        for (T item : items) {
            double w = weight.applyAsDouble(item);
            for (Map.Entry<String, Double> e : metrics.apply(item).values().entrySet()) {
                double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[2]);
                double v = e.getValue();
                if (isCount(e.getKey())) {
                    a[0] += Double.isNaN(v) ? 0 : v;
                    a[1] = 1;
                } else if (!Double.isNaN(v)) {
                    a[0] += w * v;
                    a[1] += w;
                }
            }
        }
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        acc.forEach((k, a) -> m.put(k, isCount(k) ? a[0] : a[1] > 0 ? a[0] / a[1] : Double.NaN));
        return new Metrics(m);
    }
}
