package org.fedfms.strategy.zoo.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/** The strategies as the federation finds them: OSGi services by id. Plus small parameter-set fixtures. */
final class Strategies {

    /** Every strategy id the zoo (and fedavg) provide. */
    static final List<String> ALL = List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad", "fedmedian",
            "trimmedmean", "krum", "multikrum", "dp-fixed-clipping", "fedavgm", "qfedavg", "fednova", "bulyan");

    private Strategies() {
    }

    /** The service with that id, waiting up to 10 s for it to appear. */
    static AggregationStrategy get(String id) {
        BundleContext ctx = FrameworkUtil.getBundle(Strategies.class).getBundleContext();
        ServiceTracker<AggregationStrategy, AggregationStrategy> tracker;
        try {
            tracker = new ServiceTracker<>(ctx, ctx.createFilter("(&(objectClass=" + AggregationStrategy.class.getName()
                    + ")(" + AggregationStrategy.ID_PROPERTY + "=" + id + "))"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        tracker.open();
        try {
            AggregationStrategy s = tracker.waitForService(10_000);
            assertNotNull(s, "the " + id + " service did not appear within 10 s");
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            tracker.close();
        }
    }

    /** What the federation hands strategies: the strategy services present now, by id. */
    static StrategyContext context() {
        return id -> ALL.contains(id) ? Optional.of(get(id)) : Optional.empty();
    }

    static StrategySession open(String id, Map<String, ?> settings) {
        return get(id).open(settings, context());
    }

    /** A set with tensor {@code w} of shape [3] and {@code b} of shape [1]: values w0, w1, w2, b. */
    static ParameterSet wb(double... v) {
        return ParameterSet.builder()
                .add("w", new int[] {3}, new float[] {(float) v[0], (float) v[1], (float) v[2]})
                .add("b", new int[] {1}, new float[] {(float) v[3]})
                .build();
    }

    /** Values of a set in layout order, as one array. */
    static float[] flat(ParameterSet p) {
        float[] out = new float[(int) p.parameterCount()];
        int i = 0;
        for (Tensor t : p.tensors()) {
            System.arraycopy(t.values(), 0, out, i, t.size());
            i += t.size();
        }
        return out;
    }

    /** {@code global} plus {@code offset} (in layout order), as new arrays. */
    static ParameterSet plus(ParameterSet global, double... offset) {
        ParameterSet.Builder b = ParameterSet.builder();
        int i = 0;
        for (Tensor t : global.tensors()) {
            float[] x = t.values().clone();
            for (int k = 0; k < x.length; k++) {
                x[k] += (float) offset[i++];
            }
            b.add(Tensor.of(t.name(), t.shape(), x));
        }
        return b.build();
    }

    static FitResult fit(String site, long samples, ParameterSet p) {
        return new FitResult(site, p, samples, Metrics.of("loss", 0.1, "steps", 4.0));
    }

    /** A two-tensor layout ([rows, cols] weight and [rows] bias) filled with N(0, 1) values. */
    static ParameterSet randomSet(Random random, int rows, int cols) {
        float[] w = new float[rows * cols];
        float[] b = new float[rows];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) random.nextGaussian();
        }
        for (int k = 0; k < b.length; k++) {
            b[k] = (float) random.nextGaussian();
        }
        return ParameterSet.builder().add("layer.weight", new int[] {rows, cols}, w)
                .add("layer.bias", new int[] {rows}, b).build();
    }

    /** L2 distance between two sets of the same layout. */
    static double distance(ParameterSet a, ParameterSet b) {
        double s = 0;
        for (Tensor t : a.tensors()) {
            float[] x = t.values();
            float[] y = b.get(t.name()).values();
            for (int k = 0; k < x.length; k++) {
                double d = (double) x[k] - y[k];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }
}
