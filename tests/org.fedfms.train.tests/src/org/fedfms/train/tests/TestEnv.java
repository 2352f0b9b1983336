package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.model.ModelService;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.Conditions;
import org.fedfms.testing.fixture.ParameterBits;
import org.fedfms.testing.fixture.TestFiles;
import org.fedfms.testing.fixture.TestServices;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/** The services of the running framework that the tests use, and small helpers. */
final class TestEnv {

    private TestEnv() {
    }

    static BundleContext context() {
        return FrameworkUtil.getBundle(TestEnv.class).getBundleContext();
    }

    /** The service of that type (and filter), waiting up to 30 s for it. */
    static <T> T service(Class<T> type, String filter) {
        return TestServices.await(TestEnv.class, type, filter, 30_000);
    }

    static SiteTrainerFactory trainerFactory() {
        return service(SiteTrainerFactory.class, "(id=djl)");
    }

    static PredictionExporter exporter() {
        return service(PredictionExporter.class, "(id=djl)");
    }

    static FederationService federation() {
        FederationService f = service(FederationService.class, null);
        awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("synthetic"))
                && f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")), () -> "djl, synthetic and fedavg");
        return f;
    }

    static ModelService models() {
        return service(ModelService.class, null);
    }

    /** The synthetic dataset with these settings over its defaults. */
    static FederatedDataset synthetic(Map<String, ?> settings) throws Exception {
        return service(DatasetLoader.class, "(id=synthetic)").load(settings);
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static void awaitTrue(BooleanSupplier condition, Supplier<String> what) {
        Conditions.awaitTrue(condition, what, 30_000);
    }

    /** Whether two parameter sets are equal bit for bit (names, order, shapes, every value's bits). */
    static boolean bitwiseEqual(ParameterSet a, ParameterSet b) {
        return ParameterBits.bitwiseEqual(a, b);
    }

    /** Removes an experiment left by an earlier run, with its files. */
    static void fresh(FederationService f, String name) {
        f.remove(name, true);
        deleteTree(f.experimentsDirectory().resolve(name));
    }

    static void deleteTree(Path root) {
        TestFiles.deleteTree(root);
    }

    /**
     * Mean Dice of {@code parameters} over every site's test samples (which no round trains on) that have the
     * label in their ground truth or prediction; the others have no Dice (NaN) and are left out.
     */
    static double heldOutDice(ExperimentSpec spec, ParameterSet parameters) throws Exception {
        FederatedDataset data = synthetic(spec.datasetSettings());
        List<Double> dice = new ArrayList<>();
        int samples = 0;
        for (SiteData site : data.sites()) {
            for (SampleMetrics m : exporter().evaluateSamples(spec.trainerSpec(), site, DataSplit.TEST, List.of(),
                    parameters, TrainingMonitor.NONE)) {
                samples++;
                double d = m.metrics().get("dice").orElseThrow();
                if (!Double.isNaN(d)) {
                    dice.add(d); // a slice without the label in truth or prediction has no Dice (NaN)
                }
            }
        }
        assertTrue(samples >= 20, samples + " held-out samples");
        assertTrue(dice.size() >= samples / 2, dice.size() + " of " + samples + " held-out samples have the label");
        return dice.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
