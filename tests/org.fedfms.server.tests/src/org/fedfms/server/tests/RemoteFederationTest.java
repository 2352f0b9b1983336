package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Coordinator and site agents over HTTPS on loopback: the same result as the simulation, dropouts, rejoins. */
class RemoteFederationTest {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2");

    @Test
    void threeRemoteSitesReachTheSimulatedResult() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-eq", SITES, Map.of())) {
            h.fresh("remote-eq");
            h.fresh("simulated-eq");
            for (String s : SITES) {
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");

            String spec = ExperimentSpecJson.toJson(CoordinatorHarness.spec("remote-eq", "remote-eq").build());
            HttpResponse<String> created = h.call("POST", "api/v1/experiments", CoordinatorHarness.ADMIN, spec);
            assertEquals(201, created.statusCode(), created.body());
            HttpResponse<String> started = h.call("POST", "api/v1/experiments/remote-eq/start",
                    CoordinatorHarness.ADMIN, null);
            assertEquals(202, started.statusCode(), started.body());
            CoordinatorHarness.awaitTrue(() -> h.federation.status("remote-eq").state()
                    == ExperimentStatus.State.COMPLETED, "remote experiment completed: "
                    + h.federation.status("remote-eq"), 60_000);

            h.federation.create(CoordinatorHarness.spec("simulated-eq", FixtureDatasetLoader.ID)
                    .datasetSettings(Map.of("sites", 3)).build());
            List<RoundResult> simulated = h.federation.runRounds("simulated-eq", 3);
            List<RoundResult> remote = h.federation.history("remote-eq");
            assertEquals(3, remote.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(3, remote.get(i).okSites(), "round " + (i + 1) + ": " + remote.get(i).sites());
                assertEquals(simulated.get(i).evaluationMetrics().get("mse").getAsDouble(),
                        remote.get(i).evaluationMetrics().get("mse").getAsDouble(), 1e-6, "validation mse of round "
                                + (i + 1));
                assertEquals(simulated.get(i).fitMetrics().get("loss").getAsDouble(),
                        remote.get(i).fitMetrics().get("loss").getAsDouble(), 1e-6);
            }
            ParameterSet g = h.federation.globalParameters("remote-eq");
            ParameterSet s = h.federation.globalParameters("simulated-eq");
            assertTrue(g.equalsWithin(s, 1e-6), "remote " + g + " vs simulated " + s + ": max difference "
                    + g.maxAbsDifference(s));
            assertTrue(g.maxAbsDifference(h.federation.history("remote-eq").isEmpty() ? g
                    : ParameterSet.builder().add("linear.weight", new int[] {1, 3}, new float[3])
                            .add("linear.bias", new int[] {1}, new float[1]).build()) > 0.01, "it trained");

            HttpResponse<String> history = h.call("GET", "api/v1/experiments/remote-eq/history",
                    CoordinatorHarness.ADMIN, null);
            assertEquals(200, history.statusCode());
            assertEquals(3, JsonParser.parseString(history.body()).getAsJsonArray().size());
            HttpResponse<String> sites = h.call("GET", "api/v1/experiments/remote-eq/sites", CoordinatorHarness.ADMIN,
                    null);
            JsonObject bySite = JsonParser.parseString(sites.body()).getAsJsonObject();
            assertEquals(SITES, List.copyOf(bySite.keySet()));
            JsonArray rounds = bySite.getAsJsonArray("site-1");
            assertEquals(3, rounds.size());
            assertEquals("OK", rounds.get(2).getAsJsonObject().get("status").getAsString());
            assertEquals(24, rounds.get(2).getAsJsonObject().get("sampleCount").getAsLong());

            HttpResponse<String> metrics = h.call("GET", "metrics", null, null);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("fedfms_rounds_completed_total 3"), metrics.body());
            assertTrue(metrics.body().contains("fedfms_sites_connected 3"), metrics.body());
            // the last round's evaluation: the federation's mean and each site's
            String overall = "fedfms_evaluation{experiment=\"remote-eq\",site=\"all\",metric=\"mse\"} ";
            assertTrue(metrics.body().contains(overall + remote.get(2).evaluationMetrics().values().get("mse") + "\n"),
                    metrics.body());
            for (String site : SITES) {
                assertTrue(metrics.body().contains("fedfms_evaluation{experiment=\"remote-eq\",site=\"" + site
                        + "\",metric=\"mse\"} "), metrics.body());
            }
            // and each site's training loss in that round, beside it
            for (int i = 0; i < SITES.size(); i++) {
                SiteRoundResult site = remote.get(2).sites().get(i);
                assertTrue(metrics.body().contains("fedfms_fit_loss{experiment=\"remote-eq\",site=\"" + site.siteId()
                        + "\"} " + site.fitMetrics().get("loss").getAsDouble() + "\n"), metrics.body());
            }
            long bytesIn = metricValue(metrics.body(), "fedfms_bytes_in_total");
            assertTrue(bytesIn > 3 * 3 * 16, "3 rounds × 3 updates of 16 payload bytes and their headers: " + bytesIn);
            HttpResponse<String> health = h.call("GET", "health", null, null);
            assertEquals(200, health.statusCode());
            assertEquals(3, JsonParser.parseString(health.body()).getAsJsonObject().get("sitesConnected").getAsInt());
        }
    }

    private static long metricValue(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in " + text);
    }

    @Test
    void aSiteThatDiesMidRoundIsLeftOutAndRejoinsLater() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("dropout", SITES, Map.of())) {
            h.fresh("dropout");
            h.agent("site-0", "site-0", null);
            h.agent("site-1", "site-1", null);
            AtomicReference<SiteAgent> doomed = new AtomicReference<>();
            doomed.set(h.agent("site-2", "site-2", (kind, experiment, round) -> {
                if (kind.equals("FIT") && round == 2) {
                    doomed.get().kill();
                }
            }));
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("dropout", "dropout").minSites(2).roundDeadlineSeconds(3)
                    .build());

            RoundResult first = h.federation.runRound("dropout");
            assertEquals(3, first.okSites());

            long t0 = System.nanoTime();
            RoundResult second = h.federation.runRound("dropout");
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 20, "the round never waits forever");
            assertEquals(2, second.okSites(), second.sites().toString());
            SiteRoundResult dead = second.sites().stream().filter(x -> x.siteId().equals("site-2")).findFirst()
                    .orElseThrow();
            assertEquals(SiteRoundResult.Status.FAILED, dead.status());
            assertTrue(dead.error().contains("deadline"), dead.error());

            SiteAgent back = h.agent("site-2", "site-2", null);
            CoordinatorHarness.awaitTrue(back::joined, "site-2 joined again");
            RoundResult third = h.federation.runRound("dropout");
            assertEquals(3, third.okSites(), third.sites().toString());
            assertNull(third.sites().get(2).error(), third.sites().get(2).toString());
            assertEquals(3, h.federation.status("dropout").completedRounds());
        }
    }

    @Test
    void updatesAreFoldedInAsTheyArriveSoNoneWaitsForAStraggler() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("arrival", SITES, Map.of())) {
            h.fresh("arrival");
            h.fresh("arrival-simulated");
            h.agent("site-0", "site-0", (kind, experiment, round) -> {
                if (kind.equals("FIT") && round == 1) {
                    try {
                        Thread.sleep(2_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            h.agent("site-1", "site-1", null);
            h.agent("site-2", "site-2", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            List<String> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
            org.fedfms.federation.FederationListener listener = event -> {
                if (event instanceof org.fedfms.federation.FederationEvent.SiteFinished f && f.round() == 1
                        && f.experiment().equals("arrival")) {
                    finished.add(f.site().siteId());
                }
            };
            h.federation.addListener(listener);
            try {
                h.federation.create(CoordinatorHarness.spec("arrival", "arrival").minSites(3).rounds(1).build());
                RoundResult round = h.federation.runRound("arrival");
                assertEquals(3, round.okSites(), round.sites().toString());
                assertEquals(SITES, round.sites().stream().map(SiteRoundResult::siteId).toList(),
                        "the round's record keeps the sites' order");
            } finally {
                h.federation.removeListener(listener);
            }
            CoordinatorHarness.awaitTrue(() -> finished.size() == 3, "three sites finished: " + finished);
            assertEquals("site-0", finished.get(2), "the straggler's update is folded in last, the others did not "
                    + "wait for it: " + finished);

            h.federation.create(CoordinatorHarness.spec("arrival-simulated", FixtureDatasetLoader.ID)
                    .datasetSettings(Map.of("sites", 3)).rounds(1).build());
            h.federation.runRounds("arrival-simulated", 1);
            ParameterSet g = h.federation.globalParameters("arrival");
            ParameterSet s = h.federation.globalParameters("arrival-simulated");
            assertTrue(g.equalsWithin(s, 1e-6), "arrival order changes the sum in its last bits at most: "
                    + g.maxAbsDifference(s));
        }
    }

    @Test
    void siteAgentsJoinAgainAfterTheCoordinatorRestarts() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("restart", SITES, Map.of())) {
            h.fresh("restart");
            for (String s : SITES) {
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("restart", "restart").minSites(3).build());
            assertEquals(3, h.federation.runRound("restart").okSites());

            h.restartCoordinator();
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined the restarted "
                    + "coordinator", 30_000);
            RoundResult second = h.federation.runRound("restart");
            assertEquals(2, second.round());
            assertEquals(3, second.okSites(), second.sites().toString());
        }
    }
}
