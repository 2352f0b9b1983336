package org.fedfms.federation;

import java.util.List;

/**
 * Sites that come from outside the engine (site agents joined to a coordinator) rather than from a
 * dataset loaded in this JVM. Registered as a service with an {@value #ID_PROPERTY} property; an
 * experiment whose {@link ExperimentSpec#dataset()} names a provider's id runs on the sites that
 * provider lists when each round starts. The provider owns the sites: the engine never closes them.
 */
public interface SiteProvider {

    /** Service property holding the provider's id. */
    String ID_PROPERTY = "id";

    /** The id experiments name as their dataset. */
    String id();

    /**
     * The sites available to {@code spec}'s experiment now, in a stable order (the order updates are
     * aggregated in, unless {@link #aggregatesInArrivalOrder()}). A site that leaves later fails its calls;
     * the round then goes on with the others.
     */
    List<FederatedSite> sites(ExperimentSpec spec);

    /**
     * Whether the engine folds this provider's updates into the aggregate in the order they arrive rather
     * than in the order of {@link #sites}. In arrival order no update waits, decoded, for an earlier site's,
     * so the memory a round needs does not grow with the number of sites; floating-point sums then differ
     * in their last bits from run to run. Sites across a network answer in an order nobody controls and
     * may say so; the default keeps the sites' order, which makes simulated runs reproducible bit for bit.
     */
    default boolean aggregatesInArrivalOrder() {
        return false;
    }
}
