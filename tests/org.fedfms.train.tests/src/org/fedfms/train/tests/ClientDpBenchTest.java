package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.Tensor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Dice cost of client-side differential privacy ({@code clientDp}) on FedMSA (sam-tiny + msa, FedAvg,
 * the synthetic 4-site dataset, from the pretrained sam-tiny): the same rounds without DP and at each noise
 * multiplier of {@code clientdp.noise} (default {@code 1e-9,0.01,0.1,1}: clipping alone, then three noise
 * levels), all sites every round (q = 1). The clip C is {@code clientdp.clip}, by default the mean norm of
 * the global model's change per round without DP (the norm of the sites' mean update, below most sites' own
 * update norms: clipping bites). Prints per setting ε at δ = 1e-5 after the last round and held-out Dice
 * (test splits, never trained on). Runs only when {@code clientdp.rounds} is set (the run reported in the
 * README: {@code -Dclientdp.rounds=6 -Dclientdp.epochs=3}), so a plain {@code ./mvnw verify} skips it.
 */
class ClientDpBenchTest {

    static final Path PRETRAINED = Path.of(System.getProperty("clientdp.weights",
            "../../features/org.fedfms.core.feature/rootfiles/weights/sam-tiny-pretrained.pth"));

    record Outcome(String setting, double epsilon, double dice) {
    }

    @Test
    @EnabledIfSystemProperty(named = "clientdp.rounds", matches = "\\d+",
            disabledReason = "a benchmark of several minutes: run with -Dclientdp.rounds=N")
    void printsHeldOutDiceAndEpsilonPerNoiseLevel() throws Exception {
        int rounds = Integer.getInteger("clientdp.rounds", 6);
        int epochs = Integer.getInteger("clientdp.epochs", 3);
        String[] noises = System.getProperty("clientdp.noise", "1e-9,0.01,0.1,1").split(",");
        Map<String, Object> data = TestEnv.map("imageSize", 64, "samplesPerSite", 24, "shiftStrength", 0.3,
                "slicesPerCase", 2, "testFraction", 0.25);
        boolean pretrained = Files.isRegularFile(PRETRAINED);
        FederationService f = TestEnv.federation();
        List<Outcome> outcomes = new ArrayList<>();
        double clip = Double.parseDouble(System.getProperty("clientdp.clip", "0"));
        long trainable = 0;
        for (int k = 0; k <= noises.length; k++) {
            String setting = k == 0 ? "" : "clip=" + clip + ",noise=" + noises[k - 1].strip() + ",delta=1e-5";
            ExperimentSpec spec = ExperimentSpec.builder("clientdp-" + k).model("sam-tiny").adapter("msa")
                    .dataset("synthetic").datasetSettings(data).strategy("fedavg").device("cpu").rounds(rounds)
                    .localEpochs(epochs).batchSize(4).learningRate(2e-3).seed(42).roundDeadlineSeconds(900)
                    .weights(pretrained ? PRETRAINED.toAbsolutePath().toString() : "").clientDp(setting).build();
            TestEnv.fresh(f, spec.name());
            f.create(spec);
            List<ParameterSet> globals = new ArrayList<>();
            globals.add(f.globalParameters(spec.name()).copy());
            for (int r = 0; r < rounds; r++) {
                assertEquals(1, f.runRounds(spec.name(), 1).size());
                globals.add(f.globalParameters(spec.name()).copy());
            }
            List<RoundResult> history = f.history(spec.name());
            ParameterSet global = globals.get(rounds);
            trainable = global.parameterCount();
            if (k == 0 && clip == 0) {
                double sum = 0;
                for (int r = 1; r <= rounds; r++) {
                    sum += norm(globals.get(r), globals.get(r - 1));
                }
                clip = sum / rounds;
            }
            double eps = history.get(rounds - 1).evaluationMetrics().get("dp_epsilon").orElse(Double.NaN);
            outcomes.add(new Outcome(k == 0 ? "no DP" : setting, eps, TestEnv.heldOutDice(spec, global)));
            TestEnv.fresh(f, spec.name());
        }
        System.out.printf(Locale.ROOT, "clientdp: FedMSA sam-tiny, %d rounds x %d epochs, 4 sites (q = 1), %d trainable "
                + "values, from %s; clip C = %.4g (mean norm of the global's change per round without DP)%n", rounds,
                epochs, trainable, pretrained ? "the pretrained sam-tiny" : "random weights", clip);
        System.out.println("setting                                        | epsilon (delta 1e-5) | held-out Dice | drop");
        double base = outcomes.get(0).dice();
        for (Outcome o : outcomes) {
            System.out.printf(Locale.ROOT, "%-46s | %20.4g | %13.4f | %+.4f%n", o.setting(), o.epsilon(), o.dice(),
                    o.dice() - base);
        }
        assertTrue(base > 0.5, "the baseline trains: held-out Dice " + base);
    }

    private static double norm(ParameterSet a, ParameterSet b) {
        double s = 0;
        for (Tensor t : a.tensors()) {
            float[] x = t.values();
            float[] y = b.get(t.name()).values();
            for (int i = 0; i < x.length; i++) {
                s += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
            }
        }
        return Math.sqrt(s);
    }
}
