package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.Conditions;
import org.fedfms.testing.fixture.TestFiles;
import org.fedfms.testing.fixture.TestServices;

/** Federations on the synthetic dataset with sam-tiny and the djl trainer, through the federation service. */
final class SyntheticRuns {

    /** The synthetic default (4 sites) at sam-tiny's input size, small. */
    static final Map<String, Object> DATA = map("imageSize", 128, "samplesPerSite", 24, "shiftStrength", 0.3,
            "slicesPerCase", 2, "testFraction", 0.25);

    private SyntheticRuns() {
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static <T> T service(Class<T> type, String filter) {
        return TestServices.await(SyntheticRuns.class, type, filter, 30_000);
    }

    static FederationService federation() {
        FederationService f = service(FederationService.class, null);
        Conditions.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("synthetic"))
                && f.strategies().stream().anyMatch(s -> s.id().equals("scaffold"))
                && f.strategies().stream().anyMatch(s -> s.id().equals("fednova")), () -> "djl, synthetic, scaffold",
                30_000);
        return f;
    }

    static ExperimentSpecBuilder spec(String name, String strategy, int rounds, Map<String, Object> options) {
        return ExperimentSpec.builder(name).model("sam-tiny").adapter("msa").trainer("djl").dataset("synthetic")
                .datasetSettings(DATA).strategy(strategy).device("cpu").rounds(rounds).localEpochs(1).batchSize(4)
                .learningRate(2e-3).seed(42).roundDeadlineSeconds(600).trainerOptions(options);
    }

    /** Removes an experiment left by an earlier run, with its files. */
    static void fresh(FederationService f, String name) {
        f.remove(name, true);
        TestFiles.deleteTree(f.experimentsDirectory().resolve(name));
    }

    /** Creates and runs an experiment to its end (it is left in place). */
    static List<RoundResult> run(FederationService f, ExperimentSpec spec) {
        fresh(f, spec.name());
        f.create(spec);
        return f.runRounds(spec.name(), spec.schedule().rounds());
    }

    /** Mean Dice over every site's test samples (no round trains on them) that have a Dice. */
    static double heldOutDice(ExperimentSpec spec, ParameterSet parameters) throws Exception {
        PredictionExporter exporter = service(PredictionExporter.class, "(id=djl)");
        List<Double> dice = new ArrayList<>();
        for (SiteData site : service(DatasetLoader.class, "(id=synthetic)").load(spec.datasetSettings()).sites()) {
            for (SampleMetrics m : exporter.evaluateSamples(spec.trainerSpec(), site, DataSplit.TEST, List.of(),
                    parameters, TrainingMonitor.NONE)) {
                double d = m.metrics().get("dice").orElseThrow();
                if (!Double.isNaN(d)) {
                    dice.add(d);
                }
            }
        }
        assertTrue(dice.size() >= 10, dice.size() + " held-out samples with a Dice");
        return dice.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
