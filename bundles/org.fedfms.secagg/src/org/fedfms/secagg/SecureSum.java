package org.fedfms.secagg;

import java.util.List;

/**
 * The outcome of a secure-aggregation round: the weighted mean of the survivors' updates (from the unmasked weighted
 * sum), their total weight, and who survived and who dropped out after sharing keys.
 */
public record SecureSum(float[] mean, long totalWeight, List<String> survivors, List<String> dropped) {

    /** A copy with unmodifiable lists. */
    public SecureSum {
        survivors = List.copyOf(survivors);
        dropped = List.copyOf(dropped);
    }
}
