package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.Tensor;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.ControlVariateSite;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.ParameterBits;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.Test;

/** SCAFFOLD with the real parts: the djl trainer's gradient correction, and a federation on the synthetic data. */
class FederatedScaffoldTest {

    private static final double LR = 2e-3;

    private static ParameterSet filled(ParameterSet layout, float v) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : layout.tensors()) {
            float[] x = new float[t.size()];
            java.util.Arrays.fill(x, v);
            b.add(t.name(), t.shape(), x);
        }
        return b.build();
    }

    @Test
    void theTrainerCorrectsEveryGradientAndReturnsItsMeanGradient() throws Exception {
        SiteTrainerFactory factory = TestServices.await(getClass(), SiteTrainerFactory.class, "(id=djl)", 30_000);
        SiteData site = TestServices.await(getClass(), DatasetLoader.class, "(id=synthetic)", 30_000)
                .load(SyntheticRuns.DATA).sites().get(0);
        TrainerSpec spec = new TrainerSpec("sam-tiny", "msa", "cpu", 1, 4, LR, 42, Map.of("localSteps", 2));
        try (SiteTrainer t = factory.create(spec, site)) {
            ParameterSet x = t.initialParameters();
            FitResult plain = t.fit(1, x, FitInstructions.none(), TrainingMonitor.NONE);
            assertFalse(ControlVariates.present(plain.parameters()), "no variates in, none out");

            FitResult zero = t.fit(1, ControlVariates.with(x, ControlVariates.zerosLike(x)), FitInstructions.none(),
                    TrainingMonitor.NONE);
            ParameterSet y = ControlVariates.model(zero.parameters());
            assertTrue(ParameterBits.bitwiseEqual(plain.parameters(), y), "a zero correction trains as without one");
            ParameterSet g = ControlVariates.variates(zero.parameters());
            ParameterSet expected = ControlVariates.meanGradient(x, y, 2, LR);
            assertTrue(g.maxAbsDifference(expected) <= 1e-3 * Math.max(1, expected.maxAbsDifference(
                    ControlVariates.zerosLike(x))), "the mean gradient is (x − y)/(K·lr)");

            FitResult corrected = t.fit(1, ControlVariates.with(x, filled(x, 0.05f)), FitInstructions.none(),
                    TrainingMonitor.NONE);
            ParameterSet yc = ControlVariates.model(corrected.parameters());
            assertFalse(ParameterBits.bitwiseEqual(y, yc), "a correction changes the local training");
            assertNull(yc.firstNonFinite());
        }
    }

    @Test
    void scaffoldRunsOnTheSyntheticFederationAndEachSiteKeepsItsVariate() throws Exception {
        FederationService f = SyntheticRuns.federation();
        ExperimentSpec spec = SyntheticRuns.spec("scaffold-synthetic", "scaffold", 3, SyntheticRuns.map("localSteps", 3))
                .build();
        List<RoundResult> rounds = SyntheticRuns.run(f, spec);
        ParameterSet global = f.globalParameters(spec.name());
        assertFalse(ControlVariates.present(global), "the global model holds no variates");
        for (RoundResult r : rounds) {
            assertEquals(4, r.okSites(), r.toString());
            // c travels down and dc up beside the model: twice the model's bytes each way
            assertEquals(4 * 2 * global.sizeInBytes(), r.bytesDown(), r.toString());
            assertEquals(4 * 2 * global.sizeInBytes(), r.bytesUp(), r.toString());
            assertTrue(r.evaluationMetrics().get("dice").isPresent(), r.toString());
        }
        for (SiteRoundResult s : rounds.get(2).sites()) {
            Path dir = f.experimentsDirectory().resolve(spec.name()).resolve("site-state").resolve(s.siteId());
            assertTrue(Files.isRegularFile(dir.resolve("variate-000003.bin")), dir + " holds round 3's variate");
            ParameterSet ci = new SiteStateStore(dir, ControlVariateSite.KIND).before(4).orElseThrow().tensors();
            assertTrue(global.layoutDifferences(ci).isEmpty(), "the variate has the model's layout");
            assertNull(ci.firstNonFinite());
            assertTrue(ci.maxAbsDifference(ControlVariates.zerosLike(global)) > 0, "the variate moved");
        }
        double dice = SyntheticRuns.heldOutDice(spec, global);
        System.out.printf("SCAFFOLD msa, 3 rounds of 3 steps: held-out Dice %.4f%n", dice);
        SyntheticRuns.fresh(f, spec.name());
    }
}
