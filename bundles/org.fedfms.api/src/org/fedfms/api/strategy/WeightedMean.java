package org.fedfms.api.strategy;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * Streams a weighted mean of parameter sets into one fp64 accumulator, so memory stays at about two fp32
 * models besides the global one, whatever the number of sites.
 *
 * <p>The sum is kept in double precision so that the mean does not depend on the order in which the sets
 * arrive (sites finish in any order, in simulation as at a coordinator): each term {@code w·x} of an fp32
 * value is exact or nearly so in fp64, and sums of the same terms in another order differ by less than the
 * fp32 rounding of the result, so the mean comes out bit for bit the same except in the rare value whose
 * sum falls within 2⁻⁵³ of an fp32 rounding boundary. An fp32 accumulator differed in the last bit in most
 * values, and an optimizer such as Adam turns such differences on parameters whose true gradient is zero
 * (an attention layer's key bias) into steps as large as the learning rate.
 *
 * <p>Updates are folded in pairs: the first of a pair is only remembered (a reference, not a copy)
 * until the second arrives, then both are added in one pass over the accumulator. That reads the
 * accumulator half as often as folding one update at a time, which matters because aggregation of a
 * large model is bound by memory bandwidth. A set handed to {@link #add} must therefore stay unchanged
 * until the next {@code add} or {@link #mean()}, as {@link Tensor}'s contract already asks.
 */
public final class WeightedMean {

    private final List<Tensor> layout;
    private List<double[]> sums;
    private ParameterSet pending;
    private double pendingWeight;
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
            pendingWeight = weight;
        } else {
            foldPair(pending, pendingWeight, parameters, weight);
            pending = null;
        }
        totalWeight += weight;
        count++;
    }

    private void foldPair(ParameterSet a, double wa, ParameterSet b, double wb) {
        boolean first = sums == null;
        if (first) {
            sums = new ArrayList<>(layout.size());
        }
        for (int i = 0; i < layout.size(); i++) {
            String name = layout.get(i).name();
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            if (first) {
                double[] s = new double[x.length];
                sums.add(s);
            }
            addPair(sums.get(i), x, wa, y, wb);
        }
    }

    private static void addPair(double[] s, float[] x, double wx, float[] y, double wy) {
        for (int k = 0; k < s.length; k++) {
            s[k] += wx * x[k] + wy * y[k];
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
     * The weighted mean; this object is empty after (each tensor's accumulator is dropped as soon as its
     * mean is written).
     *
     * @throws AggregationException if nothing was added
     */
    public ParameterSet mean() {
        if (count == 0) {
            throw new AggregationException("no updates to average");
        }
        ParameterSet.Builder b = ParameterSet.builder();
        for (int i = 0; i < layout.size(); i++) {
            Tensor t = layout.get(i);
            double[] s = sums == null ? null : sums.set(i, null);
            float[] x = pending == null ? null : pending.get(t.name()).values();
            int n = s != null ? s.length : x.length;
            float[] mean = new float[n];
            for (int k = 0; k < n; k++) {
                double sum = (s == null ? 0 : s[k]) + (x == null ? 0 : pendingWeight * x[k]);
                mean[k] = (float) (sum / totalWeight);
            }
            b.add(Tensor.of(t.name(), t.shape(), mean));
        }
        sums = null;
        pending = null;
        count = 0;
        totalWeight = 0;
        return b.build();
    }
}
