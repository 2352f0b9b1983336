package org.fedfms.federation.internal;

import java.security.SecureRandom;
import java.util.List;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.SecureAggregationSite;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.secagg.UpdateVector;

/**
 * An in-process site's side of a secure round: its {@link SecAggSite} for the round, and its plain fit masked
 * before it leaves the site (checked against the global layout first, flattened in the global's tensor order).
 */
final class SimulatedSecureSite implements SecureAggregationSite {

    private final FederatedSite site;
    private final String id;
    private final SecureRandom random;
    private SecAggSite protocol;

    SimulatedSecureSite(FederatedSite site, String id, SecureRandom random) {
        this.site = site;
        this.id = id;
        this.random = random;
    }

    @Override
    public KeyAdvertisement advertiseKeys(int round) {
        protocol = new SecAggSite(id, random);
        return protocol.advertiseKeys();
    }

    @Override
    public SharedKeys shareKeys(int round, Roster roster) {
        return protocol.shareKeys(roster);
    }

    @Override
    public MaskedFit fitMasked(int round, ParameterSet global, FitInstructions instructions, List<String> sharers,
            List<SealedShare> sealedForSite, TrainingMonitor monitor) throws Exception {
        FitResult r = site.fit(round, global, instructions, monitor);
        if (r == null || r.parameters() == null) {
            throw new IllegalStateException("fit returned no parameters");
        }
        if (!id.equals(r.siteId())) {
            throw new IllegalStateException("fit returned a result for site '" + r.siteId() + "'");
        }
        UpdateCheck.check(global, r);
        return new MaskedFit(protocol.maskInput(sharers, sealedForSite, UpdateVector.flatten(global, r.parameters()),
                r.sampleCount()), r.sampleCount(), r.metrics() == null ? Metrics.empty() : r.metrics());
    }

    @Override
    public ShareReveal reveal(int round, UnmaskRequest request) {
        return protocol.reveal(request);
    }
}
