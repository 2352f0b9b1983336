package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.site.internal.SiteAgentConfig;
import org.fedfms.wire.protocol.JoinRequest;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code localParameters} with site agents (FedBN, FedPer-style): the coordinator sends and receives only the shared
 * tensors; each agent keeps its own values of the local ones, evaluates with them, and resumes them after a
 * restart. FedMSA on sam-tiny with the synthetic data, compared with the in-process simulation of the same runs.
 */
class RemoteLocalParametersTest {

    static final Map<String, Object> DATA = new LinkedHashMap<>(Map.of("sites", 2, "samplesPerSite", 12,
            "imageSize", 64, "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25));
    static final List<String> SITES = List.of("site-1", "site-2");

    static ExperimentSpecBuilder djlSpec(String name, String dataset) {
        return ExperimentSpec.builder(name).model("sam-tiny").adapter("msa").trainer("djl").dataset(dataset)
                .strategy("fedavg").device("cpu").rounds(3).localEpochs(1).batchSize(4).learningRate(2e-3).seed(42)
                .minSites(2).roundDeadlineSeconds(600).trainerOptions(Map.of("localSteps", 3));
    }

    /** Where the site agent {@code site} keeps what it holds of {@code experiment} (see the README). */
    static Path agentState(String site, String experiment) {
        return Path.of(System.getProperty("fedfms.workdir", System.getProperty("user.home") + "/.fedfms"))
                .resolve("site-" + site).resolve("experiments").resolve(experiment);
    }

    /** Removes both experiments of a comparison and what agents kept of them. */
    static void fresh(CoordinatorHarness h, String remote, String simulated) {
        h.fresh(remote);
        h.fresh(simulated);
        for (String s : SITES) {
            CoordinatorHarness.deleteTree(agentState(s, remote));
        }
    }

    /** One agent per synthetic site, joined. */
    static List<SiteAgent> agents(CoordinatorHarness h) throws Exception {
        CoordinatorHarness.awaitTrue(() -> h.federation.trainerFactories().stream()
                .anyMatch(t -> t.id().equals("djl")) && h.federation.loaders().stream()
                        .anyMatch(l -> l.id().equals("synthetic")), "the djl trainer", 60_000);
        List<SiteAgent> agents = new ArrayList<>();
        for (String s : SITES) {
            agents.add(h.agent(new SiteAgentConfig(h.uri(), s, CoordinatorHarness.token(s), h.coordinator.fingerprint(),
                    null, null, "synthetic", DATA, s, 50, 500, 2), null));
        }
        CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == SITES.size(), "the sites joined");
        return agents;
    }

    /** The agents closed, then started again (a site restarting its agent between rounds). */
    static List<SiteAgent> restarted(CoordinatorHarness h, List<SiteAgent> agents) throws Exception {
        agents.forEach(SiteAgent::close);
        CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 0, "the sites left");
        return agents(h);
    }

    @Test
    void eachAgentKeepsItsOwnNormalizationLayersSendsOnlyTheSharedOnesAndResumesThem() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-fedbn", SITES, Map.of())) {
            fresh(h, "remote-fedbn", "simulated-fedbn");
            List<SiteAgent> agents = agents(h);
            h.federation.create(djlSpec("remote-fedbn", "remote-fedbn").localParameters("*norm*").build());
            h.federation.create(djlSpec("simulated-fedbn", "synthetic").datasetSettings(DATA)
                    .localParameters("*norm*").build());
            LocalParameters kept = LocalParameters.parse("*norm*");
            ParameterSet initial = h.federation.globalParameters("remote-fedbn").copy();
            ParameterSet initialLocal = kept.local(initial);
            assertTrue(initialLocal.tensorCount() > 0 && kept.shared(initial).tensorCount() > 0, initial.names()
                    .toString());

            List<RoundResult> remote = new ArrayList<>();
            remote.add(h.federation.runRound("remote-fedbn"));
            remote.add(h.federation.runRound("remote-fedbn"));
            agents = restarted(h, agents);
            remote.add(h.federation.runRound("remote-fedbn"));
            List<RoundResult> simulated = h.federation.runRounds("simulated-fedbn", 3);

            long shared = kept.shared(initial).sizeInBytes();
            for (RoundResult r : remote) {
                assertEquals(2, r.okSites(), r.sites().toString());
                assertEquals(2 * shared, r.bytesUp(), "each agent uploads only the shared tensors: " + r);
                assertEquals(2 * shared, r.bytesDown(), "each agent receives only the shared tensors: " + r);
            }
            ParameterSet g = h.federation.globalParameters("remote-fedbn");
            ParameterSet s = h.federation.globalParameters("simulated-fedbn");
            assertTrue(kept.local(g).equalsWithin(initialLocal, 0), "the coordinator never sees a site's own values");
            System.out.printf("localParameters *norm* with agents: remote vs simulated global after 3 rounds, max "
                    + "difference %.3g%n", g.maxAbsDifference(s));
            assertTrue(g.equalsWithin(s, 1e-6), "remote (agents restarted before round 3) vs simulated global: max "
                    + "difference " + g.maxAbsDifference(s));
            for (int i = 0; i < 3; i++) {
                for (SiteRoundResult site : simulated.get(i).sites()) {
                    SiteRoundResult other = remote.get(i).sites().stream().filter(x -> x.siteId().equals(site.siteId()))
                            .findFirst().orElseThrow();
                    String where = "round " + (i + 1) + " " + site.siteId() + ": simulated " + site.evaluationMetrics()
                            + ", remote " + other.evaluationMetrics();
                    assertEquals(site.evaluationMetrics().values().keySet(), other.evaluationMetrics().values()
                            .keySet(), where);
                    assertTrue(site.evaluationMetrics().get("loss").isPresent(), where);
                    site.evaluationMetrics().values().forEach((k, v) -> assertEquals(v, other.evaluationMetrics()
                            .get(k).orElseThrow(), 1e-5, k + " in " + where));
                }
            }

            SiteTrainerFactory djl = h.federation.trainerFactories().stream().filter(t -> t.id().equals("djl"))
                    .findFirst().orElseThrow();
            List<SiteData> data = h.federation.loaders().stream().filter(l -> l.id().equals("synthetic")).findFirst()
                    .orElseThrow().load(DATA).sites();
            for (String site : SITES) {
                Path dir = agentState(site, "remote-fedbn");
                assertTrue(Files.isRegularFile(dir.resolve("local-000003.bin")), dir + " holds round 3's values");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        dir.resolve("local-000003.bin"))));
                ParameterSet own = new SiteStateStore(dir, "local").before(4).orElseThrow().tensors();
                assertTrue(own.layoutDifferences(initialLocal).isEmpty(), "only the local tensors are kept");
                assertTrue(own.maxAbsDifference(initialLocal) > 0, site + "'s local values moved from the initial ones");
                SiteRoundResult reported = remote.get(2).sites().stream().filter(x -> x.siteId().equals(site))
                        .findFirst().orElseThrow();
                SiteData siteData = data.stream().filter(d -> d.siteId().equals(site)).findFirst().orElseThrow();
                try (SiteTrainer t = djl.create(h.federation.spec("remote-fedbn").trainerSpec(), siteData)) {
                    double withOwn = t.evaluate(3, g.withReplaced(own), DataSplit.VALIDATION, TrainingMonitor.NONE)
                            .metrics().get("loss").orElseThrow();
                    double withGlobal = t.evaluate(3, g, DataSplit.VALIDATION, TrainingMonitor.NONE).metrics()
                            .get("loss").orElseThrow();
                    assertEquals(withOwn, reported.evaluationMetrics().get("loss").orElseThrow(), 1e-6,
                            site + " evaluates with its own local values");
                    assertTrue(withOwn != withGlobal, site + ": its own local values make a difference");
                }
            }

            String why = assertThrows(FederationException.class, () -> h.federation.inspect("remote-fedbn")
                    .crossEvaluate(TrainingMonitor.NONE)).getMessage();
            assertTrue(why.contains("'*norm*'") && why.contains("never reach the coordinator"), why);
            why = assertThrows(FederationException.class, () -> h.federation.inspect("remote-fedbn")
                    .parameters("site-1")).getMessage();
            assertTrue(why.contains("site 'site-1'") && why.contains("localParameters"), why);
            fresh(h, "remote-fedbn", "simulated-fedbn");
        }
    }

    @Test
    void theCoordinatorTakesExactlyTheSharedTensorsAndRefusesAnAgentThatDoesNotKeepLocalOnes() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("kept-raw", List.of("new", "old"), Map.of())) {
            h.fresh("kept-raw");
            RawSite site = new RawSite(h, "new");
            assertEquals(200, h.call("POST", "api/v1/sites/new/join", site.token, "{\"trainSamples\": 24, "
                    + "\"validationSamples\": 24, \"supports\": [\"" + JoinRequest.LOCAL_PARAMETERS + "\"]}")
                    .statusCode());
            h.federation.create(CoordinatorHarness.spec("kept-raw", "kept-raw").minSites(1).rounds(1)
                    .roundDeadlineSeconds(20).localParameters("linear.bias").build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("kept-raw");
            JsonObject task = site.task();
            assertEquals("INITIAL", task.get("kind").getAsString());
            assertEquals("linear.bias", task.get("localParameters").getAsString(), task.toString());
            assertEquals(200, site.upload(task, site.update("kept-raw", 0, 0, RawSite.params(0f, 0f))).statusCode());
            task = site.task();
            assertEquals("FIT", task.get("kind").getAsString());
            assertEquals("linear.bias", task.get("localParameters").getAsString());
            ParameterSet full = RawSite.params(0.5f, 0.25f);
            HttpResponse<String> more = site.upload(task, site.update("kept-raw", 1, 24, full));
            assertEquals(422, more.statusCode(), "an update with a local tensor is refused: " + more.body());
            assertTrue(more.body().contains("linear.bias"), more.body());
            HttpResponse<String> fewer = site.upload(task, site.update("kept-raw", 1, 24, ParameterSet.builder()
                    .add("linear.bias", new int[] {1}, new float[] {0.25f}).build()));
            assertEquals(422, fewer.statusCode(), "an update without a shared tensor is refused: " + fewer.body());
            assertEquals(200, site.upload(task, site.update("kept-raw", 1, 24, LocalParameters.parse("linear.bias")
                    .shared(full))).statusCode(), "exactly the shared tensors are taken");
            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            assertEquals(1, done.completedRounds(), done.toString());
            assertTrue(h.federation.globalParameters("kept-raw").get("linear.weight").values()[0] == 0.5f);
            assertEquals(0f, h.federation.globalParameters("kept-raw").get("linear.bias").values()[0],
                    "the local tensor keeps its initial value at the coordinator");
            h.fresh("kept-raw");

            RawSite old = new RawSite(h, "old");
            h.call("POST", "api/v1/sites/new/leave", site.token, "{}");
            assertEquals(200, old.join(24).statusCode(), "an agent that supports starting states only");
            h.federation.create(CoordinatorHarness.spec("kept-raw", "kept-raw").minSites(1).rounds(1)
                    .roundDeadlineSeconds(20).localParameters("linear.bias").build());
            run = h.federation.start("kept-raw");
            HttpResponse<String> refused = old.firstAnswer();
            assertNotNull(refused, "no answer but 204 within 20 s");
            assertEquals(409, refused.statusCode(), refused.body());
            String why = JsonParser.parseString(refused.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(why.contains("site 'old'") && why.contains("\"supports\": [\"local-parameters\"]")
                    && why.contains("localParameters"), why);
            done = run.get(60, TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            h.fresh("kept-raw");
        }
    }
}
