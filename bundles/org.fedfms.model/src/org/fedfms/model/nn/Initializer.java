package org.fedfms.model.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fills a new parameter's values. Values are drawn in Java from a generator seeded per parameter, so
 * a model's initial values depend only on the seed and the parameter's name.
 */
@FunctionalInterface
public interface Initializer {

    /** Fills {@code values} (row-major, of the given shape). */
    void fill(float[] values, long[] shape, SplittableRandom random);

    /** All zeros. */
    static Initializer zeros() {
        return (v, s, r) -> Arrays.fill(v, 0f);
    }

    /** All ones. */
    static Initializer ones() {
        return (v, s, r) -> Arrays.fill(v, 1f);
    }

    /** Normal with mean 0 and the given standard deviation. */
    static Initializer normal(double std) {
        return (v, s, r) -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * std);
            }
        };
    }

    /**
     * Uniform on ±1/√fanIn: what PyTorch's default {@code kaiming_uniform_(a=√5)} gives weights of
     * Linear and Conv layers, and what it gives their biases.
     */
    static Initializer uniformFanIn(long fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return (v, s, r) -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
        };
    }
}
