package org.fedfms.federation;

import java.util.List;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;

/**
 * A site's side of one secure-aggregation round (the protocol of {@code org.fedfms.secagg}), as the round loop
 * reaches it: a {@link FederatedSite} that can run it implements this capability. The calls of a round come in
 * this order, each at most once: {@link #advertiseKeys}, {@link #shareKeys}, {@link #fitMasked}, {@link #reveal};
 * the site holds its protocol state for the round in between. The simulation wraps each in-process site in one
 * ({@code SecAggSite} on the coordinator's machine); a site that does not implement it cannot take part in a
 * secure experiment outside the simulation.
 */
public interface SecureAggregationSite {

    /** Phase 1: the site's fresh public keys for the round. */
    KeyAdvertisement advertiseKeys(int round) throws Exception;

    /** Phase 2: the site's seed commitment and its shares, sealed for its neighbours in {@code roster}. */
    SharedKeys shareKeys(int round, Roster roster) throws Exception;

    /**
     * Phase 3: trains from {@code global} as {@link FederatedSite#fit} would and answers with the update masked
     * (weight × update in fixed point plus the masks), never the update itself.
     *
     * @param sharers the sites whose shares were routed, in the coordinator's order
     * @param sealedForSite the shares sealed for this site by its neighbours
     */
    MaskedFit fitMasked(int round, ParameterSet global, FitInstructions instructions, List<String> sharers,
            List<SealedShare> sealedForSite, TrainingMonitor monitor) throws Exception;

    /** Phase 4: the shares the coordinator asks for, of survivors' seeds and dropped sites' keys. */
    ShareReveal reveal(int round, UnmaskRequest request) throws Exception;

    /**
     * What a masked fit answers.
     *
     * @param masked the masked vector (the weight, the sample count, included)
     * @param sampleCount the samples the site trained on
     * @param metrics the fit's metrics (loss, steps)
     */
    record MaskedFit(MaskedInput masked, long sampleCount, Metrics metrics) {
    }
}
