package org.fedfms.secagg;

import java.util.Map;

/**
 * Round 3 of secure aggregation, from a surviving site: the shares it holds of the survivors' self-mask seeds and of
 * the dropped sites' masking keys (never both for one site), by the site they belong to.
 */
public record ShareReveal(String site, Map<String, byte[]> seedShares, Map<String, byte[]> keyShares) {

    /** A copy with unmodifiable maps. */
    public ShareReveal {
        seedShares = Map.copyOf(seedShares);
        keyShares = Map.copyOf(keyShares);
    }
}
