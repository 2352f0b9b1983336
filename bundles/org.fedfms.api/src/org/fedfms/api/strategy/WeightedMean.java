package org.fedfms.api.strategy;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * Streams a weighted mean of parameter sets into one fp32 accumulator, so memory stays at about one
 * model besides the global one, whatever the number of sites.
 *
 * <p>Updates are folded in pairs: the first of a pair is only remembered (a reference, not a copy)
 * until the second arrives, then both are added in one pass over the accumulator. That reads the
 * accumulator half as often as folding one update at a time, which matters because aggregation of a
 * large model is bound by memory bandwidth. A set handed to {@link #add} must therefore stay unchanged
 * until the next {@code add} or {@link #mean()}, as {@link Tensor}'s contract already asks.
 */
public final class WeightedMean {

    private final List<Tensor> layout;
    private List<float[]> sums;
    private ParameterSet pending;
    private float pendingWeight;
    private double totalWeight;
    private int count;

    /** An accumulator for sets with the layout of {@code layout} (names and shapes). */
    public WeightedMean(ParameterSet layout) {
        this.layout = List.copyOf(layout.tensors());
    }

    /**
     * Adds {@code weight × parameters}. The caller has checked the layout (see {@link UpdateCheck}).
     *
     * @throws IllegalArgumentException if the weight is not positive and finite
     */
    public void add(ParameterSet parameters, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be positive and finite, got " + weight);
        }
        if (pending == null) {
            pending = parameters;
            pendingWeight = (float) weight;
        } else {
            foldPair(pending, pendingWeight, parameters, (float) weight);
            pending = null;
        }
        totalWeight += weight;
        count++;
    }

    private void foldPair(ParameterSet a, float wa, ParameterSet b, float wb) {
        boolean first = sums == null;
        if (first) {
            sums = new ArrayList<>(layout.size());
        }
        for (int i = 0; i < layout.size(); i++) {
            String name = layout.get(i).name();
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            if (first) {
                float[] s = new float[x.length];
                setPair(s, x, wa, y, wb);
                sums.add(s);
            } else {
                addPair(sums.get(i), x, wa, y, wb);
            }
        }
    }

    private static void setPair(float[] s, float[] x, float wx, float[] y, float wy) {
        for (int k = 0; k < s.length; k++) {
            s[k] = wx * x[k] + wy * y[k];
        }
    }

    private static void addPair(float[] s, float[] x, float wx, float[] y, float wy) {
        for (int k = 0; k < s.length; k++) {
            s[k] += wx * x[k] + wy * y[k];
        }
    }

    private static void scale(float[] s, float inv) {
        for (int k = 0; k < s.length; k++) {
            s[k] *= inv;
        }
    }

    private static void addScaled(float[] s, float[] x, float w, float inv) {
        for (int k = 0; k < s.length; k++) {
            s[k] = (s[k] + w * x[k]) * inv;
        }
    }

    private static void scaleInto(float[] s, float[] x, float w, float inv) {
        for (int k = 0; k < s.length; k++) {
            s[k] = (w * x[k]) * inv;
        }
    }

    /** Sets added so far. */
    public int count() {
        return count;
    }

    /** Sum of the weights added so far. */
    public double totalWeight() {
        return totalWeight;
    }

    /**
     * The weighted mean; the accumulator is handed over to the result and this object is empty after.
     *
     * @throws AggregationException if nothing was added
     */
    public ParameterSet mean() {
        if (count == 0) {
            throw new AggregationException("no updates to average");
        }
        float inv = (float) (1.0 / totalWeight);
        ParameterSet.Builder b = ParameterSet.builder();
        for (int i = 0; i < layout.size(); i++) {
            Tensor t = layout.get(i);
            float[] s;
            if (sums == null) {
                float[] x = pending.get(t.name()).values();
                s = new float[x.length];
                scaleInto(s, x, pendingWeight, inv);
            } else {
                s = sums.get(i);
                if (pending != null) {
                    addScaled(s, pending.get(t.name()).values(), pendingWeight, inv);
                } else {
                    scale(s, inv);
                }
            }
            b.add(Tensor.of(t.name(), t.shape(), s));
        }
        sums = null;
        pending = null;
        count = 0;
        totalWeight = 0;
        return b.build();
    }
}
