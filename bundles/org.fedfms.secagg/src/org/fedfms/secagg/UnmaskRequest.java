package org.fedfms.secagg;

import java.util.List;

/**
 * Round 3 of secure aggregation, from the coordinator: the sites whose masked inputs arrived (their self masks are
 * to be removed) and the sites that shared keys but dropped out before (their pairwise masks are to be removed).
 */
public record UnmaskRequest(int round, List<String> survivors, List<String> dropped) {

    /** A copy with unmodifiable lists. */
    public UnmaskRequest {
        survivors = List.copyOf(survivors);
        dropped = List.copyOf(dropped);
    }
}
