package org.fedfms.federation;

import java.util.Collection;
import java.util.List;

import org.fedfms.api.SiteInfo;

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
     * Whether a round of {@code spec} could start now: enough sites have joined. The engine asks before it
     * goes on by itself with a run that a restart interrupted; the round still checks for itself. The
     * default says yes; a provider whose sites come and go counts them with
     * {@link #trainingSites(ExperimentSpec, Collection)} against {@link RoundParticipation#minSites()}.
     */
    default boolean ready(ExperimentSpec spec) {
        return true;
    }

    /**
     * How many of {@code sites} a round of {@code spec} trains on: those with training samples, less the
     * held-out {@link ExperimentSpec#unseenSite()} of a leave-one-site-out experiment. A round starts only
     * when this reaches {@link RoundParticipation#minSites()}.
     */
    static int trainingSites(ExperimentSpec spec, Collection<SiteInfo> sites) {
        int n = 0;
        for (SiteInfo s : sites) {
            boolean unseen = spec.protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT
                    && s.siteId().equals(spec.unseenSite());
            if (!unseen && s.trainSamples() > 0) {
                n++;
            }
        }
        return n;
    }

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
