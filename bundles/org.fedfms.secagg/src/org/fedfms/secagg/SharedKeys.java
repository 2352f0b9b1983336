package org.fedfms.secagg;

import java.util.List;

/**
 * Round 1 of secure aggregation: a site's sealed shares for its neighbours, and the SHA-256 of its self-mask seed,
 * against which the coordinator checks the seed it rebuilds.
 */
public record SharedKeys(String site, byte[] seedCommitment, List<SealedShare> shares) {

    /** A copy with an unmodifiable list. */
    public SharedKeys {
        shares = List.copyOf(shares);
    }
}
