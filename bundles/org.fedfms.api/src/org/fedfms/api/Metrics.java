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

    private static final Metrics EMPTY = new Metrics(Map.of());

    public Metrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Metrics empty() {
        return EMPTY;
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

    /**
     * The mean of each metric over {@code items}, weighted by {@code weight}; a metric missing from an
     * item does not count for that item.
     */
    public static <T> Metrics weightedMean(Collection<T> items, java.util.function.Function<T, Metrics> metrics,
            ToDoubleFunction<T> weight) {
        LinkedHashMap<String, double[]> acc = new LinkedHashMap<>();
        for (T item : items) {
            double w = weight.applyAsDouble(item);
            for (Map.Entry<String, Double> e : metrics.apply(item).values().entrySet()) {
                double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[2]);
                a[0] += w * e.getValue();
                a[1] += w;
            }
        }
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        acc.forEach((k, a) -> m.put(k, a[1] > 0 ? a[0] / a[1] : Double.NaN));
        return new Metrics(m);
    }
}
