package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.SecureAggregationSite;
import org.fedfms.federation.SecureAggregationSite.MaskedFit;
import org.fedfms.federation.internal.FitPhase.FitOutcome;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.SecAggCoordinator;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.secagg.UpdateVector;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.TransferEncoding;

/**
 * One round of an experiment with {@link org.fedfms.federation.UpdateSharing#secureAggregation()} in the simulation:
 * the chosen sites and the coordinator run the secure-aggregation protocol of {@code org.fedfms.secagg}. Keys and
 * sealed shares are exchanged before the sites train; each update is masked as it arrives, by its site's protocol
 * state, and only the masked vector reaches the coordinator's side; after the fit phase the survivors reveal their
 * shares and the strategy gets one update, the unmasked weighted mean, with the survivors' total sample count.
 */
public final class SecureRound {

    /** The site id of the one update a secure round hands to the strategy. */
    public static final String SUM_SITE = "secure-sum";
    /** Most threads one step of the protocol uses to ask the sites at once. */
    private static final int MAX_THREADS = 32;

    private final int round;
    private final ParameterSet global;
    private final SecAggCoordinator coordinator;
    /** The sites still in the round's protocol. */
    private final Map<String, SecureAggregationSite> sites = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Why a site dropped out before its fit. */
    private final Map<String, String> dropped = new ConcurrentHashMap<>();
    private Map<String, List<SealedShare>> routed;
    /** Masked vectors of fits that returned, until the fit phase accepts them. */
    private final Map<String, MaskedInput> arrived = new ConcurrentHashMap<>();
    private final List<MaskedInput> masked = new ArrayList<>();
    /** Bytes each site sent in the protocol's messages, as {@link SecAggCodec} writes them for transport. */
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    private final SecAggCodec codec = new SecAggCodec(2, 1);

    private SecureRound(int round, ParameterSet global, SecAggSettings settings) {
        this.round = round;
        this.global = global;
        this.coordinator = new SecAggCoordinator(round, settings, new SecureRandom());
    }

    /** The problems of the spec's {@code secureAggregation} text, each naming the key. */
    public static List<String> problems(ExperimentSpec spec) {
        try {
            Optional<SecAggSettings> s = SecAggSettings.parse(spec.sharing().secureAggregation());
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
            return !TransferEncoding.parse(spec.sharing().encoding()).up().equals(TensorCoding.FP32);
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
        if (SecAggSettings.parse(spec.sharing().secureAggregation()).isPresent() && !strategy.aggregatesWeightedMean(settings)) {
            throw new FederationException("experiment '" + spec.name() + "': strategy '" + strategy.id()
                    + "' with settings " + new java.util.TreeMap<>(settings) + " needs each site's update, but with "
                    + "secure aggregation the coordinator sees only their weighted sum; choose fedavg, fedprox, "
                    + "fedadam, fedyogi, fedadagrad or fedavgm with weighted=true (and roundWeights=false), or turn "
                    + "secureAggregation off");
        }
    }

    /**
     * Starts the protocol for a round of the experiment: keys advertised, shares sealed and routed; {@code null} if
     * the experiment has no secure aggregation. A simulated site takes part through a {@link SimulatedSecureSite};
     * a site of a site provider must be a {@link SecureAggregationSite} itself. A site whose key or share call
     * fails drops out of the round (its fit then fails too).
     *
     * @throws RoundAbort if a chosen site cannot run the protocol, or too few are left for the threshold
     */
    static SecureRound begin(Experiment e, ExperimentSpec spec, int round, List<SiteSlot> chosen, ParameterSet global) {
        Optional<SecAggSettings> settings = SecAggSettings.parse(spec.sharing().secureAggregation());
        if (settings.isEmpty()) {
            return null;
        }
        boolean simulated = e.setup == null || e.setup.provider() == null;
        SecureRound r = new SecureRound(round, global, settings.get());
        SecureRandom random = new SecureRandom();
        Map<String, SecureAggregationSite> all = new LinkedHashMap<>();
        for (SiteSlot s : chosen) {
            if (s.site() instanceof SecureAggregationSite p) {
                all.put(s.id(), p);
            } else if (simulated) {
                all.put(s.id(), new SimulatedSecureSite(s.site(), s.id(), random));
            } else {
                throw RoundAbort.fail(where(e, round) + " cannot start: site '" + s.id() + "' of site provider '"
                        + spec.dataset() + "' cannot run secure aggregation and would hand the coordinator its update "
                        + "in the clear. Turn secureAggregation off for this experiment.", null);
            }
        }
        try {
            r.sites.putAll(all);
            List<KeyAdvertisement> keys = new ArrayList<>();
            r.ask("advertise its keys", p -> p.advertiseKeys(round)).forEach((id, k) -> {
                r.count(id, r.codec.encode(k).length);
                keys.add(k);
            });
            Roster roster = r.coordinator.roster(keys);
            List<SharedKeys> shared = new ArrayList<>();
            r.ask("share its keys", p -> p.shareKeys(round, roster)).forEach((id, k) -> {
                r.count(id, r.codec.encode(k).length);
                shared.add(k);
            });
            r.routed = r.coordinator.route(shared);
            return r;
        } catch (SecureAggregationException x) {
            throw RoundAbort.pause(where(e, round) + ": secure aggregation cannot start with the " + chosen.size()
                    + " chosen sites: " + x.getMessage() + ". " + unchanged(round), x);
        }
    }

    /** One step of the protocol at a site. */
    @FunctionalInterface
    private interface Step<T> {
        T at(SecureAggregationSite site) throws Exception;
    }

    /**
     * Each site still in the round asked for one step, all at once (a remote site answers before the round
     * deadline or fails); the answers in the sites' order. A site whose call fails drops out, recorded with why.
     */
    private <T> Map<String, T> ask(String what, Step<T> step) {
        List<String> asked = List.copyOf(sites.keySet());
        Map<String, T> answers = new LinkedHashMap<>();
        if (asked.isEmpty()) {
            return answers;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(asked.size(), MAX_THREADS), r -> {
            Thread t = new Thread(r, "fedfms-secure-round-" + round);
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<T>> calls = new LinkedHashMap<>();
            for (String id : asked) {
                SecureAggregationSite site = sites.get(id);
                calls.put(id, pool.submit(() -> step.at(site)));
            }
            for (Map.Entry<String, Future<T>> c : calls.entrySet()) {
                String id = c.getKey();
                try {
                    T answer = c.getValue().get();
                    if (answer == null) {
                        throw new IllegalStateException("no answer");
                    }
                    answers.put(id, answer);
                } catch (ExecutionException x) {
                    sites.remove(id);
                    dropped.put(id, "did not " + what + ": " + RoundMessages.describe(x.getCause()));
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new SecureAggregationException("interrupted while the sites " + what.replace("its",
                            "their"));
                }
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The site's fit, masked by the site: what {@link FitPhase} calls in a secure round. The masked vector waits
     * for {@link #accept}; the fit result carries no parameters.
     */
    FitResult fit(SiteSlot slot, int round, ParameterSet start, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        SecureAggregationSite site = sites.get(slot.id());
        if (site == null) {
            throw new IllegalStateException("dropped out of the secure aggregation: "
                    + dropped.getOrDefault(slot.id(), "it was not chosen"));
        }
        MaskedFit m = site.fitMasked(round, start, instructions, coordinator.sharers(),
                routed.getOrDefault(slot.id(), List.of()), monitor);
        if (m == null || m.masked() == null || !slot.id().equals(m.masked().site())) {
            throw new IllegalStateException("the masked fit came back without this site's masked vector");
        }
        arrived.put(slot.id(), m.masked());
        return new FitResult(slot.id(), ParameterSet.builder().build(), m.sampleCount(), m.metrics());
    }

    /** How the fit phase asks a site of a secure round: {@link #fit}, its upload counted as {@link #withSentBytes}. */
    FitPhase.Fitter fitter() {
        return new FitPhase.Fitter() {
            @Override
            public FitResult fit(SiteSlot slot, int round, ParameterSet start, FitInstructions instructions,
                    TrainingMonitor monitor) throws Exception {
                return SecureRound.this.fit(slot, round, start, instructions, monitor);
            }

            @Override
            public long uploadBytes(SiteSlot slot, FitResult r) {
                MaskedInput m = arrived.get(slot.id());
                return sent.getOrDefault(slot.id(), 0L) + (m == null ? 0 : SecAggCodec.encodedSize(m));
            }
        };
    }

    /** Takes an arrived site's masked vector into the sum; the coordinator's side never sees its update. */
    void accept(SiteSlot slot, FitResult result) {
        MaskedInput m = arrived.remove(slot.id());
        if (m == null) {
            throw new IllegalStateException("no masked vector from site '" + slot.id() + "'");
        }
        count(slot.id(), SecAggCodec.encodedSize(m));
        masked.add(m);
    }

    private void count(String site, long bytes) {
        sent.merge(site, bytes, Long::sum);
    }

    /**
     * The fit outcomes with what each site really uploaded in the round: its key advertisement, sealed shares,
     * masked vector (8 bytes per value) and revealed shares, instead of the fp32 update it never sent in the clear.
     */
    List<FitOutcome> withSentBytes(List<FitOutcome> fits) {
        return fits.stream().map(o -> new FitOutcome(o.siteId(), o.ok(), o.sampleCount(), o.metrics(), o.error(),
                o.bytesDown(), sent.getOrDefault(o.siteId(), 0L), o.durationMillis())).toList();
    }

    /**
     * Unmasks the sum of the masked updates with the survivors' shares and hands it to {@code aggregator} as one
     * update. A survivor that does not reveal drops out here.
     *
     * @throws RoundAbort if too few sites delivered or revealed shares, or a share failed its check
     */
    void unmaskInto(Experiment e, RoundAggregator aggregator) {
        SecureSum sum;
        try {
            UnmaskRequest request = coordinator.unmaskRequest(masked);
            sites.keySet().retainAll(request.survivors());
            List<ShareReveal> reveals = new ArrayList<>();
            ask("reveal its shares", site -> site.reveal(round, request)).forEach((id, reveal) -> {
                count(id, codec.encode(reveal).length);
                reveals.add(reveal);
            });
            sum = coordinator.finish(reveals);
        } catch (SecureAggregationException x) {
            e.dropSession();
            throw RoundAbort.pause(where(e, round) + ": secure aggregation could not unmask the sum: "
                    + x.getMessage() + ". " + unchanged(round), x);
        }
        aggregator.accept(new FitResult(SUM_SITE, UpdateVector.unflatten(global, sum.mean()), sum.totalWeight(),
                Metrics.empty()));
    }
}
