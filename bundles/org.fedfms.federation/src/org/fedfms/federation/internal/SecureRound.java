package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationException;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.SecAggCoordinator;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.TransferEncoding;

/**
 * One round of an experiment with {@link ExperimentSpec#secureAggregation()} in the simulation: the chosen sites and
 * the coordinator run the secure-aggregation protocol of {@code org.fedfms.secagg}. Keys and sealed shares are
 * exchanged before the sites train; each update is masked as it arrives, by its site's protocol state, and only the
 * masked vector reaches the coordinator's side; after the fit phase the survivors reveal their shares and the
 * strategy gets one update, the unmasked weighted mean, with the survivors' total sample count.
 */
public final class SecureRound {

    /** The site id of the one update a secure round hands to the strategy. */
    public static final String SUM_SITE = "secure-sum";

    private final int round;
    private final ParameterSet global;
    private final SecAggCoordinator coordinator;
    private final Map<String, SecAggSite> sites = new LinkedHashMap<>();
    private Map<String, List<org.fedfms.secagg.SealedShare>> routed;
    private final List<MaskedInput> masked = new ArrayList<>();

    private SecureRound(int round, ParameterSet global, SecAggSettings settings) {
        this.round = round;
        this.global = global;
        this.coordinator = new SecAggCoordinator(round, settings, new SecureRandom());
    }

    /** The problems of the spec's {@code secureAggregation} text, each naming the key. */
    public static List<String> problems(ExperimentSpec spec) {
        try {
            Optional<SecAggSettings> s = SecAggSettings.parse(spec.secureAggregation());
            if (s.isPresent() && !spec.protocol().aggregates()) {
                return List.of("'secureAggregation' applies to protocols that aggregate (federated, "
                        + "leave-one-site-out), not " + spec.protocol().id());
            }
            if (s.isPresent() && upCoded(spec)) {
                return List.of("'secureAggregation' with an upload 'encoding': masked updates are uniform ring "
                        + "values that no coding shrinks; leave the upload at fp32 (e.g. encoding down=int8)");
            }
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of("'secureAggregation': " + e.getMessage());
        }
    }

    private static boolean upCoded(ExperimentSpec spec) {
        try {
            return !TransferEncoding.parse(spec.encoding()).up().equals(TensorCoding.FP32);
        } catch (IllegalArgumentException e) {
            return false; // the encoding's own problem says it
        }
    }

    /**
     * Refuses a strategy that needs the sites' individual updates for an experiment with secure aggregation.
     *
     * @throws FederationException naming the strategy and what to do
     */
    static void requireSumBased(ExperimentSpec spec, AggregationStrategy strategy, Map<String, ?> settings) {
        if (SecAggSettings.parse(spec.secureAggregation()).isPresent() && !strategy.aggregatesWeightedMean(settings)) {
            throw new FederationException("experiment '" + spec.name() + "': strategy '" + strategy.id()
                    + "' with settings " + new java.util.TreeMap<>(settings) + " needs each site's update, but with "
                    + "secure aggregation the coordinator sees only their weighted sum; choose fedavg, fedprox, "
                    + "fedadam, fedyogi, fedadagrad or fedavgm with weighted=true (and roundWeights=false), or turn "
                    + "secureAggregation off");
        }
    }

    /**
     * Starts the protocol for a round of the experiment: keys advertised, shares sealed and routed; {@code null} if
     * the experiment has no secure aggregation.
     *
     * @throws RoundAbort if the chosen sites cannot run the protocol (too few for the threshold)
     */
    static SecureRound begin(Experiment e, ExperimentSpec spec, int round, List<SiteSlot> chosen, ParameterSet global) {
        Optional<SecAggSettings> settings = SecAggSettings.parse(spec.secureAggregation());
        if (settings.isEmpty()) {
            return null;
        }
        if (e.setup != null && e.setup.provider() != null) {
            throw RoundAbort.fail(where(e, round) + " cannot start: secure aggregation runs between simulated sites "
                    + "only for now; the site agents of site provider '" + spec.dataset() + "' would hand the "
                    + "coordinator their updates in the clear. Turn secureAggregation off for this experiment.", null);
        }
        SecureRound r = new SecureRound(round, global, settings.get());
        try {
            SecureRandom random = new SecureRandom();
            List<KeyAdvertisement> keys = new ArrayList<>();
            for (SiteSlot s : chosen) {
                SecAggSite site = new SecAggSite(s.id(), random);
                r.sites.put(s.id(), site);
                keys.add(site.advertiseKeys());
            }
            org.fedfms.secagg.Roster roster = r.coordinator.roster(keys);
            List<SharedKeys> shared = new ArrayList<>();
            r.sites.values().forEach(site -> shared.add(site.shareKeys(roster)));
            r.routed = r.coordinator.route(shared);
            return r;
        } catch (SecureAggregationException x) {
            throw RoundAbort.pause(where(e, round) + ": secure aggregation cannot start with the " + chosen.size()
                    + " chosen sites: " + x.getMessage() + ". " + unchanged(round), x);
        }
    }

    /** Masks an arrived update at its site; the coordinator's side keeps only the masked vector. */
    void accept(SiteSlot slot, FitResult result) {
        UpdateCheck.check(global, result);
        SecAggSite site = sites.get(slot.id());
        masked.add(site.maskInput(coordinator.sharers(), routed.getOrDefault(slot.id(), List.of()),
                flatten(result.parameters()), result.sampleCount()));
    }

    /**
     * Unmasks the sum of the masked updates with the survivors' shares and hands it to {@code aggregator} as one
     * update.
     *
     * @throws RoundAbort if too few sites delivered or revealed shares, or a share failed its check
     */
    void unmaskInto(Experiment e, RoundAggregator aggregator) {
        SecureSum sum;
        try {
            UnmaskRequest request = coordinator.unmaskRequest(masked);
            List<ShareReveal> reveals = new ArrayList<>();
            for (String s : request.survivors()) {
                reveals.add(sites.get(s).reveal(request));
            }
            sum = coordinator.finish(reveals);
        } catch (SecureAggregationException x) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + ": secure aggregation could not unmask the sum: "
                    + x.getMessage() + ". " + unchanged(round), x);
        }
        aggregator.accept(new FitResult(SUM_SITE, unflatten(sum.mean()), sum.totalWeight(), Metrics.empty()));
    }

    private float[] flatten(ParameterSet p) {
        float[] out = new float[(int) global.parameterCount()];
        int at = 0;
        for (String name : global.names()) {
            float[] v = p.get(name).values();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private ParameterSet unflatten(float[] values) {
        ParameterSet.Builder b = ParameterSet.builder();
        int at = 0;
        for (String name : global.names()) {
            Tensor t = global.get(name);
            float[] v = new float[t.size()];
            System.arraycopy(values, at, v, 0, v.length);
            at += v.length;
            b.add(name, t.shape(), v);
        }
        return b.build();
    }
}
