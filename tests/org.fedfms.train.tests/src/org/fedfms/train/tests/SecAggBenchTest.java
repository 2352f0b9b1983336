package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationService;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCoordinator;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Secure aggregation against plain FedAvg: FedMSA (sam-tiny + msa, synthetic dataset, 8 sites, from the pretrained
 * sam-tiny when present) the same rounds with and without the experiment setting {@code secureAggregation}. Prints
 * the round times, the upload bytes per site and round (plain: the fp32 update message; secure: keys, sealed shares,
 * seed commitment, masked vector and revealed shares, counted from the protocol's own messages), the largest
 * difference of the final global models, how many sites may drop out after masking with the default threshold (run
 * with real updates of the model's size, one more dropout must fail), and the protocol's bytes and time at SAM
 * ViT-B FedMSA size (11,159,268 trainable parameters): bytes exactly, time from its fixed cost and cost per value
 * measured at 1 M and 4 M values. Run by
 * {@code releng/bench/secagg}; it runs only when the environment variable {@code SECAGG_ROUNDS} is set (and
 * {@code SECAGG_EPOCHS}, default 1), so a plain {@code ./mvnw verify} skips it.
 */
class SecAggBenchTest {

    static final long VIT_B_FEDMSA = 11_159_268L;
    static final int SITES = 8;

    @Test
    @EnabledIfEnvironmentVariable(named = "SECAGG_ROUNDS", matches = "\\d+",
            disabledReason = "a benchmark of minutes: releng/bench/secagg runs it")
    void printsSecureAgainstPlainFedAvg() throws Exception {
        int rounds = Integer.parseInt(System.getenv("SECAGG_ROUNDS"));
        int epochs = Integer.parseInt(System.getenv().getOrDefault("SECAGG_EPOCHS", "1"));
        Map<String, Object> data = TestEnv.map("sites", SITES, "imageSize", 64, "samplesPerSite", 12,
                "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25);
        boolean pretrained = Files.isRegularFile(CompressionBenchTest.PRETRAINED);
        FederationService f = TestEnv.federation();
        ExperimentSpecBuilder b = ExperimentSpec.builder("secagg-plain").model("sam-tiny").adapter("msa")
                .dataset("synthetic").datasetSettings(data).strategy("fedavg").device("cpu").rounds(rounds)
                .localEpochs(epochs).batchSize(4).learningRate(2e-3).seed(42).roundDeadlineSeconds(900)
                .weights(pretrained ? CompressionBenchTest.PRETRAINED.toAbsolutePath().toString() : "");
        ExperimentSpec plainSpec = b.build();
        ExperimentSpec secureSpec = b.name("secagg-secure").secureAggregation("on").build();
        ExperimentSpec warmUp = b.name("secagg-warm-up").secureAggregation("").rounds(1).build();
        TestEnv.fresh(f, warmUp.name());
        f.create(warmUp);
        f.runRounds(warmUp.name(), 1); // loads the engine and the weights before anything is timed
        TestEnv.fresh(f, warmUp.name());
        double[] seconds = new double[2];
        ParameterSet[] globals = new ParameterSet[2];
        int i = 0;
        for (ExperimentSpec spec : List.of(plainSpec, secureSpec)) {
            TestEnv.fresh(f, spec.name());
            f.create(spec);
            long t0 = System.nanoTime();
            List<RoundResult> history = f.runRounds(spec.name(), rounds);
            seconds[i] = (System.nanoTime() - t0) / 1e9 / rounds;
            assertEquals(rounds, history.size());
            assertEquals(SITES, history.get(rounds - 1).okSites());
            globals[i++] = f.globalParameters(spec.name());
            TestEnv.fresh(f, spec.name());
        }
        double maxDiff = globals[1].maxAbsDifference(globals[0]);
        ParameterSet update = globals[0];
        int length = (int) update.parameterCount();
        long plainUp = WireEncoder.fp32().encodedSize(WireMessage.update("e", 0, "site-0", 0, Metrics.empty(), update));

        // the protocol alone on vectors of the update's size: bytes per site, time, dropouts
        Protocol.run(length, Set.of(), SecAggSettings.DEFAULT); // warms up the JIT
        Protocol tiny = Protocol.run(length, Set.of(), SecAggSettings.DEFAULT);
        // the cost per value where it outweighs the fixed cost of keys and shares: 1 M and 4 M values
        int million = 1_000_000;
        Protocol one = Protocol.run(million, Set.of(), SecAggSettings.DEFAULT);
        Protocol four = Protocol.run(4 * million, Set.of(), SecAggSettings.DEFAULT);
        double sitePerValue = Math.max(0, (four.siteSeconds - one.siteSeconds) / (3.0 * million));
        double siteFixed = Math.max(0, one.siteSeconds - sitePerValue * million);
        double coordinatorPerValue = Math.max(0, (four.coordinatorSeconds - one.coordinatorSeconds) / (3.0 * million));
        double coordinatorFixed = Math.max(0, one.coordinatorSeconds - coordinatorPerValue * million);
        int survived = 0;
        for (int dropped = 1; dropped < SITES; dropped++) {
            Set<String> gone = new HashSet<>();
            for (int d = 0; d < dropped; d++) {
                gone.add("site-" + d);
            }
            try {
                Protocol p = Protocol.run(length, gone, SecAggSettings.DEFAULT);
                assertTrue(p.maxError < 1e-6, "the sum of the survivors is right, off by " + p.maxError);
                survived = dropped;
            } catch (SecureAggregationException belowThreshold) {
                assertTrue(belowThreshold.getMessage().contains("fewer than the threshold"), belowThreshold.getMessage());
                break;
            }
        }
        assertTrue(survived >= 1 && survived < SITES - 1, "dropouts survived: " + survived);
        double secureUp = tiny.uploadBytesPerSite;
        double vitBPlain = 4.0 * VIT_B_FEDMSA;
        double vitBSecure = 8.0 * (VIT_B_FEDMSA + 1) + tiny.keyBytesPerSite;
        double vitBSite = siteFixed + sitePerValue * VIT_B_FEDMSA;
        double vitBCoordinator = coordinatorFixed + coordinatorPerValue * VIT_B_FEDMSA;

        System.out.println("secagg: FedMSA sam-tiny, " + SITES + " sites, " + rounds + " rounds x " + epochs
                + " epochs, FedAvg, from " + (pretrained ? "the pretrained sam-tiny" : "random weights")
                + "; secure aggregation with all pairs, threshold " + tiny.threshold);
        System.out.printf(Locale.ROOT, "round time: plain %.2f s, secure %.2f s (ratio %.3f)%n", seconds[0], seconds[1],
                seconds[1] / seconds[0]);
        System.out.printf(Locale.ROOT, "upload per site and round: plain %d B (fp32 update), secure %.0f B (masked vector "
                + "%d B in Z_2^64 + keys and shares %.0f B)%n", plainUp, secureUp, 8L * (length + 1), tiny.keyBytesPerSite);
        System.out.printf(Locale.ROOT, "protocol alone at this size (%d values): %.3f s per site (keys, shares, "
                + "masking, reveal), %.3f s at the coordinator (routing, sum, unmasking) per round%n", length,
                tiny.siteSeconds, tiny.coordinatorSeconds);
        System.out.printf(Locale.ROOT, "ViT-B FedMSA (%d values): upload plain %.1f MB, secure %.1f MB (ratio %.3f); "
                + "protocol time about %.1f s per site and %.1f s at the coordinator per round with %d sites (fixed cost plus "
                + "cost per value, measured at 1 M and 4 M values: %.3f / %.3f s per site, %.3f / %.3f s at the "
                + "coordinator)%n",
                VIT_B_FEDMSA, vitBPlain / 1e6, vitBSecure / 1e6, vitBSecure / vitBPlain, vitBSite, vitBCoordinator,
                SITES, one.siteSeconds, four.siteSeconds, one.coordinatorSeconds, four.coordinatorSeconds);
        System.out.printf(Locale.ROOT, "dropouts after masking: the sum stays right with up to %d of %d sites gone; "
                + "one more fails clearly (threshold %d)%n", survived, SITES, tiny.threshold);
        System.out.printf(Locale.ROOT, "secagg: max |secure - plain| = %.3g; round time ratio %.3f; upload bytes ratio "
                + "%.3f; dropouts survived %d%n", maxDiff, seconds[1] / seconds[0], secureUp / plainUp, survived);
    }

    /** One protocol round among {@link #SITES} sites on random vectors, with its bytes and time. */
    private static final class Protocol {
        double uploadBytesPerSite;
        double keyBytesPerSite;
        double siteSeconds;
        double coordinatorSeconds;
        double maxError;
        int threshold;

        static Protocol run(int length, Set<String> dropped, SecAggSettings settings) {
            Protocol p = new Protocol();
            Random data = new Random(19);
            SecureRandom random = new SecureRandom();
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, Long> weights = new LinkedHashMap<>();
            for (int s = 0; s < SITES; s++) {
                float[] v = new float[length];
                for (int j = 0; j < length; j++) {
                    v[j] = (float) (data.nextGaussian() * 0.1);
                }
                values.put("site-" + s, v);
                weights.put("site-" + s, 12L + s);
            }
            long[] site = new long[1];
            long[] coord = new long[1];
            long keyBytes = 0;
            long maskedBytes = 0;
            SecAggCoordinator coordinator = new SecAggCoordinator(1, settings, random);
            Map<String, SecAggSite> sites = new LinkedHashMap<>();
            List<KeyAdvertisement> ads = new ArrayList<>();
            for (String id : values.keySet()) {
                long t = System.nanoTime();
                SecAggSite s = new SecAggSite(id, random);
                sites.put(id, s);
                KeyAdvertisement a = s.advertiseKeys();
                site[0] += System.nanoTime() - t;
                keyBytes += bytes(id) + a.encryptionKey().length + a.maskingKey().length;
                ads.add(a);
            }
            long t = System.nanoTime();
            Roster roster = coordinator.roster(ads);
            coord[0] += System.nanoTime() - t;
            p.threshold = roster.threshold();
            List<SharedKeys> shared = new ArrayList<>();
            for (SecAggSite s : sites.values()) {
                t = System.nanoTime();
                SharedKeys k = s.shareKeys(roster);
                site[0] += System.nanoTime() - t;
                keyBytes += bytes(k.site()) + k.seedCommitment().length;
                for (SealedShare sealed : k.shares()) {
                    keyBytes += bytes(sealed.from()) + bytes(sealed.to()) + sealed.ciphertext().length;
                }
                shared.add(k);
            }
            t = System.nanoTime();
            Map<String, List<SealedShare>> routed = coordinator.route(shared);
            coord[0] += System.nanoTime() - t;
            List<MaskedInput> masked = new ArrayList<>();
            for (SecAggSite s : sites.values()) {
                if (!dropped.contains(s.site())) {
                    t = System.nanoTime();
                    MaskedInput m = s.maskInput(coordinator.sharers(), routed.get(s.site()), values.get(s.site()),
                            weights.get(s.site()));
                    site[0] += System.nanoTime() - t;
                    maskedBytes += bytes(m.site()) + 8L * m.values().length;
                    masked.add(m);
                }
            }
            t = System.nanoTime();
            UnmaskRequest request = coordinator.unmaskRequest(masked);
            coord[0] += System.nanoTime() - t;
            List<ShareReveal> reveals = new ArrayList<>();
            for (String s : request.survivors()) {
                t = System.nanoTime();
                ShareReveal r = sites.get(s).reveal(request);
                site[0] += System.nanoTime() - t;
                keyBytes += bytes(r.site());
                for (Map.Entry<String, byte[]> e : r.seedShares().entrySet()) {
                    keyBytes += bytes(e.getKey()) + e.getValue().length;
                }
                for (Map.Entry<String, byte[]> e : r.keyShares().entrySet()) {
                    keyBytes += bytes(e.getKey()) + e.getValue().length;
                }
                reveals.add(r);
            }
            t = System.nanoTime();
            SecureSum sum = coordinator.finish(reveals);
            coord[0] += System.nanoTime() - t;
            p.siteSeconds = site[0] / 1e9 / (SITES - dropped.size());
            p.coordinatorSeconds = coord[0] / 1e9;
            p.keyBytesPerSite = keyBytes / (double) SITES;
            p.uploadBytesPerSite = (keyBytes + maskedBytes) / (double) (SITES - dropped.size());
            long total = 0;
            double[] plain = new double[length];
            for (String s : sum.survivors()) {
                total += weights.get(s);
                for (int j = 0; j < length; j++) {
                    plain[j] += weights.get(s) * (double) values.get(s)[j];
                }
            }
            for (int j = 0; j < length; j++) {
                p.maxError = Math.max(p.maxError, Math.abs(plain[j] / total - sum.mean()[j]));
            }
            assertEquals(total, sum.totalWeight());
            assertThrows(SecureAggregationException.class, () -> sites.get(sum.survivors().get(0)).reveal(request),
                    "a site reveals its shares once");
            return p;
        }

        private static int bytes(String id) {
            return id.getBytes(StandardCharsets.UTF_8).length;
        }
    }
}
