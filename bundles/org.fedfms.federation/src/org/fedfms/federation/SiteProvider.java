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
     * aggregated in). A site that leaves later fails its calls; the round then goes on with the others.
     */
    List<FederatedSite> sites(ExperimentSpec spec);
}
