package org.fedfms.api.strategy;

import java.util.ArrayList;
import java.util.List;

/**
 * Order statistics across sites, coordinate by coordinate, for robust aggregation (median, trimmed
 * mean): for every index, the values the sites' arrays hold there are sorted, and a reducer turns the
 * sorted values into one result value.
 *
 * <p>Works block by block: a block of each input is copied into a small scratch buffer, the buffers
 * are sorted column-wise by a sorting network (Batcher's merge exchange, Knuth 5.2.2 M) whose
 * compare-exchange steps are min/max loops the JIT turns into vector instructions, and the sorted
 * block goes to the reducer. Each input is read once and nothing larger than the scratch is allocated.
 */
public final class CoordinateSort {

    /** Values per block; small enough that a block of every input stays in the CPU cache. */
    public static final int BLOCK = 1024;

    private final int n;
    private final int[] network;
    private final float[][] scratch;

    /** Receives each sorted block. */
    @FunctionalInterface
    public interface BlockReducer {

        /**
         * Reduces one block.
         *
         * @param sorted {@code sorted[i][j]} is the i-th smallest input value at index {@code offset + j}
         * @param length valid values per row of {@code sorted}
         * @param out the output array
         * @param offset index in {@code out} (and in the inputs) of the block's first value
         */
        void reduce(float[][] sorted, int length, float[] out, int offset);
    }

    /** A sorter for {@code n} inputs (sites); reusable, not thread-safe. */
    public CoordinateSort(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one input is needed, got " + n);
        }
        this.n = n;
        this.network = mergeExchangeNetwork(n);
        this.scratch = new float[n][BLOCK];
    }

    /** Number of inputs. */
    public int inputs() {
        return n;
    }

    /** Number of compare-exchange steps of the network. */
    public int comparators() {
        return network.length / 2;
    }

    /**
     * Sorts the inputs' values index by index and hands each sorted block to {@code reducer}.
     *
     * @param inputs {@link #inputs()} arrays of the length of {@code out}; they are not modified
     * @param out the output array the reducer writes
     */
    public void reduce(List<float[]> inputs, float[] out, BlockReducer reducer) {
        if (inputs.size() != n) {
            throw new IllegalArgumentException("expected " + n + " inputs, got " + inputs.size());
        }
        for (float[] x : inputs) {
            if (x.length != out.length) {
                throw new IllegalArgumentException("input of length " + x.length + " for an output of length "
                        + out.length);
            }
        }
        for (int offset = 0; offset < out.length; offset += BLOCK) {
            int len = Math.min(BLOCK, out.length - offset);
            for (int i = 0; i < n; i++) {
                System.arraycopy(inputs.get(i), offset, scratch[i], 0, len);
            }
            for (int c = 0; c < network.length; c += 2) {
                compareExchange(scratch[network[c]], scratch[network[c + 1]], len);
            }
            reducer.reduce(scratch, len, out, offset);
        }
    }

    private static void compareExchange(float[] lo, float[] hi, int len) {
        for (int k = 0; k < len; k++) {
            float a = lo[k];
            float b = hi[k];
            lo[k] = Math.min(a, b);
            hi[k] = Math.max(a, b);
        }
    }

    /** Comparator pairs (i, j), i &lt; j, of Batcher's merge exchange sort for {@code n} keys. */
    static int[] mergeExchangeNetwork(int n) {
        List<Integer> pairs = new ArrayList<>();
        if (n > 1) {
            int t = 32 - Integer.numberOfLeadingZeros(n - 1);
            for (int p = 1 << (t - 1); p > 0; p >>= 1) {
                int q = 1 << (t - 1);
                int r = 0;
                int d = p;
                while (true) {
                    for (int i = 0; i < n - d; i++) {
                        if ((i & p) == r) {
                            pairs.add(i);
                            pairs.add(i + d);
                        }
                    }
                    if (q == p) {
                        break;
                    }
                    d = q - p;
                    q >>= 1;
                    r = p;
                }
            }
        }
        return pairs.stream().mapToInt(Integer::intValue).toArray();
    }
}
