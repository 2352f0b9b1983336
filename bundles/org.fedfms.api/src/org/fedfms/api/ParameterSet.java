package org.fedfms.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Named fp32 tensors in a stable order: what strategies aggregate, what checkpoints hold and what
 * travels between sites and the coordinator.
 *
 * <p>The set itself is immutable; tensors share their value arrays (see {@link Tensor}).
 */
public final class ParameterSet {

    private static final ParameterSet EMPTY = new ParameterSet(new LinkedHashMap<>());

    private final Map<String, Tensor> tensors;
    private final boolean screenedFinite;

    private ParameterSet(LinkedHashMap<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.screenedFinite = false;
    }

    private ParameterSet(ParameterSet screened) {
        this.tensors = screened.tensors;
        this.screenedFinite = true;
    }

    public static ParameterSet empty() {
        return EMPTY;
    }

    /** A set of the given tensors, in the order given. */
    public static ParameterSet of(Collection<Tensor> tensors) {
        Builder b = builder();
        tensors.forEach(b::add);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Names in their stable order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** Tensors in their stable order. */
    public Collection<Tensor> tensors() {
        return tensors.values();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor of that name, or an {@link IllegalArgumentException} naming it. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return t;
    }

    public int tensorCount() {
        return tensors.size();
    }

    public boolean isEmpty() {
        return tensors.isEmpty();
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /** Size of the values in bytes at fp32. */
    public long sizeInBytes() {
        return parameterCount() * Float.BYTES;
    }

    /** The tensors whose names pass {@code filter}, in this set's order. */
    public ParameterSet select(Predicate<String> filter) {
        Builder b = builder();
        for (Tensor t : tensors.values()) {
            if (filter.test(t.name())) {
                b.add(t);
            }
        }
        return b.build();
    }

    /**
     * The named tensors, in this set's order.
     *
     * @throws IllegalArgumentException listing every name that is missing
     */
    public ParameterSet select(Collection<String> names) {
        Set<String> wanted = Set.copyOf(names);
        List<String> missing = new ArrayList<>();
        for (String n : wanted) {
            if (!tensors.containsKey(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            Collections.sort(missing);
            throw new IllegalArgumentException("parameters not in the set: " + missing);
        }
        return select(wanted::contains);
    }

    /** This set with the tensors of {@code update} replacing those of the same name. */
    public ParameterSet withReplaced(ParameterSet update) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>(tensors);
        for (Tensor t : update.tensors()) {
            Tensor old = m.get(t.name());
            if (old == null) {
                throw new IllegalArgumentException("no parameter named '" + t.name() + "' to replace");
            }
            if (!old.sameShape(t)) {
                throw new IllegalArgumentException("parameter '" + t.name() + "': shape " + t.shapeText()
                        + " does not match " + old.shapeText());
            }
            m.put(t.name(), t);
        }
        return new ParameterSet(m);
    }

    /** A deep copy: new value arrays. */
    public ParameterSet copy() {
        Builder b = builder();
        tensors.values().forEach(t -> b.add(t.copy()));
        return b.build();
    }

    /**
     * Checks that {@code other} has exactly the names (in any order) and shapes of this set.
     *
     * @return an empty list if it does, else one line per difference
     */
    public List<String> layoutDifferences(ParameterSet other) {
        List<String> diffs = new ArrayList<>();
        for (Tensor t : tensors.values()) {
            Tensor o = other.tensors.get(t.name());
            if (o == null) {
                diffs.add("missing '" + t.name() + "'");
            } else if (!t.sameShape(o)) {
                diffs.add("'" + t.name() + "' has shape " + o.shapeText() + ", expected " + t.shapeText());
            }
        }
        for (String n : other.tensors.keySet()) {
            if (!tensors.containsKey(n)) {
                diffs.add("unexpected '" + n + "'");
            }
        }
        return diffs;
    }

    /** Largest absolute difference between matching values; the layouts must be equal. */
    public double maxAbsDifference(ParameterSet other) {
        List<String> diffs = layoutDifferences(other);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("parameter sets differ in layout: " + diffs);
        }
        double max = 0;
        for (Tensor t : tensors.values()) {
            float[] a = t.values();
            float[] b = other.tensors.get(t.name()).values();
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs((double) a[i] - b[i]);
                if (!(d <= max)) {
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    if (Double.isInfinite(max)) {
                        return max;
                    }
                }
            }
        }
        return max;
    }

    /**
     * The squared Euclidean distance to {@code other}, summed in double precision over this set's tensors (e.g.
     * the squared norm of a site's update from the global model); {@code other} must hold each of them.
     */
    public double squaredDistance(ParameterSet other) {
        double sum = 0;
        for (Tensor t : tensors.values()) {
            float[] a = t.values();
            float[] b = other.get(t.name()).values();
            for (int i = 0; i < a.length; i++) {
                double d = (double) b[i] - a[i];
                sum += d * d;
            }
        }
        return sum;
    }

    /** Equal layout and every value within {@code tolerance} (absolute). */
    public boolean equalsWithin(ParameterSet other, double tolerance) {
        return layoutDifferences(other).isEmpty() && maxAbsDifference(other) <= tolerance;
    }

    /**
     * The first non-finite value, described as {@code "name[index] = NaN"}, or {@code null} when
     * every value is finite.
     */
    public String firstNonFinite() {
        if (screenedFinite) {
            return null;
        }
        for (Tensor t : tensors.values()) {
            int i = t.firstNonFinite();
            if (i >= 0) {
                return t.name() + "[" + i + "] = " + t.values()[i];
            }
        }
        return null;
    }

    /**
     * This set, screened once for non-finite values: the same tensors, remembered as all finite, so that
     * {@link #firstNonFinite()} on the result answers without another pass over the values (they are
     * read-only by {@link Tensor}'s contract). For a receiver that checks an update before handing it to a
     * strategy, whose {@link org.fedfms.api.strategy.UpdateCheck} would screen it again.
     *
     * @throws IllegalArgumentException with {@link #firstNonFinite()}'s description if a value is NaN or infinite
     */
    public ParameterSet screenedFinite() {
        if (screenedFinite) {
            return this;
        }
        String bad = firstNonFinite();
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        return new ParameterSet(this);
    }

    @Override
    public String toString() {
        return "ParameterSet[" + tensors.size() + " tensors, " + parameterCount() + " parameters]";
    }

    /** Collects tensors in insertion order; names must be unique. */
    public static final class Builder {
        private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(Tensor tensor) {
            Objects.requireNonNull(tensor, "tensor");
            if (tensors.putIfAbsent(tensor.name(), tensor) != null) {
                throw new IllegalArgumentException("duplicate parameter name '" + tensor.name() + "'");
            }
            return this;
        }

        public Builder add(String name, int[] shape, float[] values) {
            return add(Tensor.of(name, shape, values));
        }

        public ParameterSet build() {
            return new ParameterSet(new LinkedHashMap<>(tensors));
        }
    }
}
