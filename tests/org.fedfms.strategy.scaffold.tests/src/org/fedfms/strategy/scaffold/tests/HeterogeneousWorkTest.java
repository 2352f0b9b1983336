package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.ParameterBits;
import org.junit.jupiter.api.Test;

/**
 * Sites doing unequal local work (trainer option {@code localStepsBySite}: site-1 runs 4× the batches of the
 * others) on the synthetic federation, aggregated by FedAvg, FedNova and SCAFFOLD, all with plain SGD (the
 * setting of both papers); prints each one's held-out Dice. Short by default; with the environment variable
 * {@code FEDFMS_MEASURE_HETEROGENEOUS=1} it runs long enough to compare the Dice (the README's figures), with the
 * SGD learning rates of {@code FEDFMS_MEASURE_SGD_LR} (comma-separated), the synthetic data's
 * {@code shiftStrength} from {@code FEDFMS_MEASURE_SHIFT} and {@code FEDFMS_MEASURE_ROUNDS} rounds (8).
 */
class HeterogeneousWorkTest {

    private static final boolean MEASURE = "1".equals(System.getenv("FEDFMS_MEASURE_HETEROGENEOUS"));
    private static final int ROUNDS = !MEASURE ? 3 : System.getenv("FEDFMS_MEASURE_ROUNDS") != null
            ? Integer.parseInt(System.getenv("FEDFMS_MEASURE_ROUNDS")) : 8;
    private static final int STEPS = MEASURE ? 6 : 2;
    /** SGD learning rates to try (environment variable {@code FEDFMS_MEASURE_SGD_LR}, comma-separated). */
    private static final List<Double> SGD_LR = MEASURE && System.getenv("FEDFMS_MEASURE_SGD_LR") != null
            ? java.util.Arrays.stream(System.getenv("FEDFMS_MEASURE_SGD_LR").split(",")).map(Double::valueOf).toList()
            : List.of(0.05);

    @Test
    void oneSiteRunsFourTimesTheStepsAndEachStrategyAggregatesIt() throws Exception {
        for (double lr : SGD_LR) {
            compare(lr);
        }
    }

    private static void compare(double lr) throws Exception {
        FederationService f = SyntheticRuns.federation();
        Map<String, Object> work = SyntheticRuns.map("localSteps", STEPS, "localStepsBySite", "site-1=" + 4 * STEPS,
                "optimizer", "sgd");
        Map<String, ParameterSet> models = new LinkedHashMap<>();
        Map<String, String> dice = new LinkedHashMap<>();
        for (String strategy : List.of("fedavg", "fednova", "scaffold")) {
            ExperimentSpecBuilder b = SyntheticRuns.spec("hetero-" + strategy, strategy, ROUNDS, work).learningRate(lr);
            if (MEASURE && System.getenv("FEDFMS_MEASURE_SHIFT") != null) {
                Map<String, Object> data = new LinkedHashMap<>(SyntheticRuns.DATA);
                data.put("shiftStrength", Double.valueOf(System.getenv("FEDFMS_MEASURE_SHIFT")));
                b.datasetSettings(data);
            }
            ExperimentSpec spec = b.build();
            long t0 = System.nanoTime();
            List<RoundResult> rounds = SyntheticRuns.run(f, spec);
            for (RoundResult r : rounds) {
                assertEquals(4, r.okSites(), r.toString());
                for (SiteRoundResult s : r.sites()) {
                    assertEquals(s.siteId().equals("site-1") ? 4.0 * STEPS : STEPS,
                            s.fitMetrics().get("steps").orElseThrow(), s.toString());
                }
            }
            models.put(strategy, f.globalParameters(spec.name()));
            double d = SyntheticRuns.heldOutDice(spec, models.get(strategy));
            assertTrue(d >= 0 && d <= 1, strategy + ": " + d);
            dice.put(strategy, String.format("%.4f (%.0f s)", d, (System.nanoTime() - t0) / 1e9));
            SyntheticRuns.fresh(f, spec.name());
        }
        System.out.printf("unequal local work (site-1 %d SGD steps per round, sites 2-4 %d; lr %s, %d rounds, "
                + "sam-tiny msa): held-out Dice %s%n", 4 * STEPS, STEPS, lr, ROUNDS, dice);
        assertFalse(ParameterBits.bitwiseEqual(models.get("fedavg"), models.get("fednova")),
                "FedNova normalizes the unequal updates: its model is not FedAvg's");
        assertFalse(ParameterBits.bitwiseEqual(models.get("fedavg"), models.get("scaffold")),
                "SCAFFOLD's corrected training ends elsewhere than FedAvg's");
    }
}
