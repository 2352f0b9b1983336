package org.fedfms.secagg;

import java.util.List;

/**
 * What the coordinator hands one site before it masks: the sites whose keys were shared, in the coordinator's
 * order, and the shares its neighbours sealed for it ({@link SecAggSite#maskInput}'s first two arguments).
 */
public record RoutedShares(List<String> sharers, List<SealedShare> shares) {

    /** A copy with unmodifiable lists. */
    public RoutedShares {
        sharers = List.copyOf(sharers);
        shares = List.copyOf(shares);
    }
}
