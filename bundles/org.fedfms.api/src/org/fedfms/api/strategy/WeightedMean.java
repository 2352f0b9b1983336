package org.fedfms.api.strategy;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * Streams a weighted mean of parameter sets: each update is folded into one fp32 accumulator as it
 * arrives, so memory stays at one model besides the global one, whatever the number of sites.
 */
public final class WeightedMean {

    private final ParameterSet layout;
    private final List<float[]> sums = new ArrayList<>();
    private double totalWeight;
    private int count;

    /** An accumulator for sets with the layout of {@code layout} (names and shapes). */
    public WeightedMean(ParameterSet layout) {
        this.layout = layout;
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
        float w = (float) weight;
        int i = 0;
        for (Tensor t : layout.tensors()) {
            float[] x = parameters.get(t.name()).values();
            if (count == 0) {
                float[] s = new float[x.length];
                scaleInto(s, x, w);
                sums.add(s);
            } else {
                addScaled(sums.get(i), x, w);
            }
            i++;
        }
        totalWeight += weight;
        count++;
    }

    private static void scaleInto(float[] dst, float[] x, float w) {
        for (int k = 0; k < x.length; k++) {
            dst[k] = w * x[k];
        }
    }

    private static void addScaled(float[] acc, float[] x, float w) {
        for (int k = 0; k < x.length; k++) {
            acc[k] += w * x[k];
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
     * The weighted mean; the accumulator is handed over to the result and must not be used after.
     *
     * @throws AggregationException if nothing was added
     */
    public ParameterSet mean() {
        if (count == 0) {
            throw new AggregationException("no updates to average");
        }
        float inv = (float) (1.0 / totalWeight);
        ParameterSet.Builder b = ParameterSet.builder();
        int i = 0;
        for (Tensor t : layout.tensors()) {
            float[] s = sums.get(i++);
            for (int k = 0; k < s.length; k++) {
                s[k] *= inv;
            }
            b.add(Tensor.of(t.name(), t.shape(), s));
        }
        sums.clear();
        count = 0;
        return b.build();
    }
}
