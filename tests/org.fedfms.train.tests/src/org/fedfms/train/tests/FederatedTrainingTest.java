package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.model.ModelSummary;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/**
 * The four protocols through the federation engine with its real services: the synthetic 4-site
 * dataset, sam-tiny, the msa and full adapter types, FedAvg and this trainer. Held-out Dice is measured
 * on the sites' test splits, which no protocol trains on.
 */
class FederatedTrainingTest {

    /** Synthetic default (4 sites, 2 classes) at sam-tiny's input size, small: 16 training slices per site. */
    private static final Map<String, Object> DATA = TestEnv.map("imageSize", 128, "samplesPerSite", 24,
            "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25);
    private static final int ROUNDS = 5;

    private static ExperimentSpecBuilder spec(String name, String adapter) {
        return ExperimentSpec.builder(name).model("sam-tiny").adapter(adapter).trainer("djl").dataset("synthetic")
                .datasetSettings(DATA).strategy("fedavg").device("cpu").rounds(ROUNDS).localEpochs(6).batchSize(4)
                .learningRate(2e-3).seed(42).roundDeadlineSeconds(600);
    }

    /** Runs an experiment to its end and removes it; returns its rounds and final global model. */
    private static Run run(FederationService f, ExperimentSpec spec) {
        TestEnv.fresh(f, spec.name());
        f.create(spec);
        long t0 = System.nanoTime();
        List<RoundResult> rounds = f.runRounds(spec.name(), spec.schedule().rounds());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Run r = new Run(spec, rounds, f.globalParameters(spec.name()), f.localParameters(spec.name()), seconds);
        TestEnv.fresh(f, spec.name());
        return r;
    }

    record Run(ExperimentSpec spec, List<RoundResult> rounds, ParameterSet global, Map<String, ParameterSet> local,
            double seconds) {

        RoundResult last() {
            return rounds.get(rounds.size() - 1);
        }

        /** Validation Dice per round, for the log. */
        String diceCurve() {
            StringBuilder sb = new StringBuilder();
            for (RoundResult r : rounds) {
                sb.append(String.format(" %.3f", r.evaluationMetrics().get("dice").orElse(Double.NaN)));
            }
            return sb.toString().trim();
        }
    }

    @Test
    void fedAvgWithMsaReachesDiceAndCentralizedTrainingLandsWithinFivePoints() throws Exception {
        FederationService f = TestEnv.federation();
        Run federated = run(f, spec("train-fedavg-msa", "msa").build());
        double fedDice = TestEnv.heldOutDice(federated.spec(), federated.global());
        Run centralized = run(f, spec("train-centralized-msa", "msa").protocol(Protocol.CENTRALIZED).build());
        double centralDice = TestEnv.heldOutDice(centralized.spec(), centralized.global());
        System.out.printf("FedAvg msa: held-out Dice %.4f after %d rounds (%.1f s; validation Dice by round %s)%n",
                fedDice, ROUNDS, federated.seconds(), federated.diceCurve());
        System.out.printf("centralized msa: held-out Dice %.4f after %d rounds (%.1f s; validation Dice by round %s)%n",
                centralDice, ROUNDS, centralized.seconds(), centralized.diceCurve());

        assertTrue(fedDice >= 0.80, "FedAvg with msa reaches held-out Dice " + fedDice);
        assertTrue(Math.abs(fedDice - centralDice) <= 0.05, "centralized " + centralDice + " vs federated " + fedDice);
        for (RoundResult r : federated.rounds()) {
            assertEquals(4, r.okSites(), r.toString());
        }
        assertTrue(federated.last().fitMetrics().get("loss").orElseThrow()
                < federated.rounds().get(0).fitMetrics().get("loss").orElseThrow(), "training loss falls");

        // only the trainable subset travels: adapters and mask decoder
        ModelSummary msa = TestEnv.models().summarize("sam-tiny", "msa", Map.of());
        assertEquals(msa.trainableParameters(), federated.global().parameterCount());
        long perSite = msa.trainableParameters() * Float.BYTES;
        for (RoundResult r : federated.rounds()) {
            assertEquals(4 * perSite, r.bytesDown());
            assertEquals(4 * perSite, r.bytesUp());
        }
        assertTrue(federated.global().names().stream()
                .allMatch(n -> n.contains("_Adapter.") || n.startsWith("mask_decoder.")), "adapters and decoder only");
        System.out.printf("msa bytes per site per round: %d of %d (%.1f %% of the model)%n", perSite,
                msa.totalParameters() * Float.BYTES, 100.0 * msa.trainableParameters() / msa.totalParameters());
    }

    @Test
    void fedAvgWithFullFineTuningReachesDice() throws Exception {
        FederationService f = TestEnv.federation();
        Run full = run(f, spec("train-fedavg-full", "full").build());
        double dice = TestEnv.heldOutDice(full.spec(), full.global());
        System.out.printf("FedAvg full: held-out Dice %.4f after %d rounds (%.1f s; validation Dice by round %s)%n",
                dice, ROUNDS, full.seconds(), full.diceCurve());
        assertTrue(dice >= 0.80, "FedAvg with full fine-tuning reaches held-out Dice " + dice);
        ModelSummary summary = TestEnv.models().summarize("sam-tiny", "full", Map.of());
        assertEquals(summary.totalParameters(), full.global().parameterCount(), "full sends every parameter");
        assertEquals(4 * summary.totalParameters() * Float.BYTES, full.last().bytesUp());
    }

    @Test
    void localOnlyAndLeaveOneSiteOutRunWithTheSameTrainer() {
        FederationService f = TestEnv.federation();
        Map<String, Object> quick = TestEnv.map("localSteps", 3);
        Run local = run(f, spec("train-local-only", "msa").protocol(Protocol.LOCAL_ONLY).rounds(1)
                .trainerOptions(quick).build());
        assertEquals(List.of("site-1", "site-2", "site-3", "site-4"), List.copyOf(local.local().keySet()));
        List<ParameterSet> models = List.copyOf(local.local().values());
        for (int i = 0; i < models.size(); i++) {
            assertFalse(TestEnv.bitwiseEqual(models.get(i), local.global()), "site " + (i + 1) + " trained its own model");
            for (int j = i + 1; j < models.size(); j++) {
                assertFalse(TestEnv.bitwiseEqual(models.get(i), models.get(j)), "sites " + (i + 1) + " and " + (j + 1));
            }
        }
        assertTrue(local.last().evaluationMetrics().get("dice").isPresent(), local.last().toString());

        Run loso = run(f, spec("train-loso", "msa").protocol(Protocol.LEAVE_ONE_SITE_OUT).unseenSite("site-4")
                .rounds(1).trainerOptions(quick).build());
        RoundResult r = loso.last();
        assertEquals(3, r.okSites(), r.toString());
        for (SiteRoundResult s : r.sites()) {
            if (s.siteId().equals("site-4")) {
                assertFalse(s.status() == SiteRoundResult.Status.OK, "the unseen site does not train");
                assertTrue(s.evaluationMetrics().get("dice").isPresent(), "the unseen site is tested: " + s);
            }
        }
        for (String k : List.of("dice", "iou", "hd95", "loss", "val_dice")) {
            assertTrue(r.evaluationMetrics().get(k).isPresent(), k + " in " + r.evaluationMetrics());
        }
        System.out.printf("local-only round 1: validation Dice %.3f; leave-one-site-out (site-4 unseen) round 1: "
                + "unseen Dice %.3f, source validation Dice %.3f%n", local.last().evaluationMetrics().get("dice")
                        .orElseThrow(), r.evaluationMetrics().get("dice").orElseThrow(),
                r.evaluationMetrics().get("val_dice").orElseThrow());
    }
}
