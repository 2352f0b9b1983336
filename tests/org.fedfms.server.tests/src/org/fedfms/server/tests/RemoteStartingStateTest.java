package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.site.internal.SiteAgentConfig;
import org.junit.jupiter.api.Test;

/**
 * A remote experiment that starts from a weights file: only the coordinator opens the file; the sites receive its
 * tensors (the frozen encoder too) as the experiment's starting state and train exactly as the in-process
 * simulation that reads the file itself. FedMSA on sam-tiny, from the shipped pretrained checkpoint.
 */
class RemoteStartingStateTest {

    private static final Path WEIGHTS = Path.of("../../features/org.fedfms.core.feature/rootfiles/weights/"
            + "sam-tiny-pretrained.pth").toAbsolutePath().normalize();
    private static final Map<String, Object> DATA = new LinkedHashMap<>(Map.of("sites", 2, "samplesPerSite", 12,
            "imageSize", 64, "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25));

    private static ExperimentSpecBuilder spec(String name, String dataset) {
        return ExperimentSpec.builder(name).model("sam-tiny").adapter("msa").trainer("djl").dataset(dataset)
                .strategy("fedavg").device("cpu").rounds(1).localEpochs(1).batchSize(4).learningRate(2e-3).seed(42)
                .minSites(2).roundDeadlineSeconds(600).weights(WEIGHTS.toString())
                .trainerOptions(Map.of("localSteps", 4));
    }

    @Test
    void aRemoteExperimentWithWeightsEqualsTheSimulationWithTheSameWeights() throws Exception {
        assertTrue(Files.isRegularFile(WEIGHTS), WEIGHTS.toString());
        List<String> sites = List.of("site-1", "site-2");
        try (CoordinatorHarness h = new CoordinatorHarness("remote-weights", sites, Map.of())) {
            h.fresh("remote-weights");
            h.fresh("simulated-weights");
            CoordinatorHarness.awaitTrue(() -> h.federation.trainerFactories().stream()
                    .anyMatch(t -> t.id().equals("djl")), "the djl trainer", 60_000);
            for (String s : sites) {
                h.agent(new SiteAgentConfig(h.uri(), s, CoordinatorHarness.token(s), h.coordinator.fingerprint(), null,
                        null, "synthetic", DATA, s, 50, 500, 2), null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "2 sites joined");

            h.federation.create(spec("remote-weights", "remote-weights").build());
            RoundResult remote = h.federation.runRound("remote-weights");
            assertEquals(2, remote.okSites(), remote.sites().toString());
            h.federation.create(spec("simulated-weights", "synthetic").datasetSettings(DATA).build());
            RoundResult simulated = h.federation.runRound("simulated-weights");
            assertEquals(2, simulated.okSites(), simulated.sites().toString());

            ParameterSet g = h.federation.globalParameters("remote-weights");
            ParameterSet s = h.federation.globalParameters("simulated-weights");
            assertTrue(g.equalsWithin(s, 1e-5), "remote vs simulated global model: max difference "
                    + g.maxAbsDifference(s));
            for (String metric : simulated.evaluationMetrics().values().keySet()) {
                assertEquals(simulated.evaluationMetrics().get(metric).getAsDouble(),
                        remote.evaluationMetrics().get(metric).getAsDouble(), 1e-5, metric);
            }
            assertEquals(h.federation.status("simulated-weights").startingPoint(),
                    h.federation.status("remote-weights").startingPoint());
            assertEquals("sam-tiny-pretrained.pth", h.federation.status("remote-weights").startingPoint().file());
        }
    }
}
