package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.testing.fixture.ParameterDistance;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Client-side DP on site agents: each agent clips (and noises) before upload; the coordinator reports ε. */
class ClientDpRemoteTest {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2");

    @Test
    void siteAgentsClipTheirUploadsAndMetricsReportEpsilon() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-dp", SITES, Map.of())) {
            h.fresh("remote-dp");
            for (String s : SITES) {
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("remote-dp", "remote-dp").learningRate(0.1).localEpochs(3)
                    .clientDp("clip=0.01,noise=0.0000001,delta=1e-5").build());
            ParameterSet before = h.federation.globalParameters("remote-dp").copy();
            RoundResult first = h.federation.runRound("remote-dp");
            assertEquals(3, first.okSites(), first.sites().toString());
            ParameterSet after = h.federation.globalParameters("remote-dp");
            double moved = ParameterDistance.euclidean(after, before);
            // FedAvg of three updates each clipped to 0.01 at the agent moves the global by at most 0.01
            assertTrue(moved > 0.005 && moved <= 0.01 * 1.001, "the global moved by " + moved + ", clip 0.01");

            double eps = first.evaluationMetrics().get("dp_epsilon").getAsDouble();
            assertTrue(eps > 0 && Double.isFinite(eps), "epsilon " + eps);
            HttpResponse<String> metrics = h.call("GET", "metrics", null, null);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("fedfms_dp_epsilon{experiment=\"remote-dp\"} " + eps + "\n"),
                    metrics.body());
        }
    }

    @Test
    void anAgentThatDoesNotDeclareClientDpIsRefusedItsFitNamingWhatIsMissing() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("dp-old", List.of("old"), Map.of())) {
            h.fresh("dp-old");
            RawSite old = new RawSite(h, "old");
            assertEquals(200, old.join(24).statusCode(), "an agent that supports starting states, not client DP");
            h.federation.create(CoordinatorHarness.spec("dp-old", "dp-old").minSites(1).rounds(1)
                    .roundDeadlineSeconds(20).clientDp("clip=1,noise=1,delta=1e-5").build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("dp-old");
            JsonObject task = old.task();
            if (task.get("kind").getAsString().equals("INITIAL")) {
                assertEquals(200, old.upload(task, old.update("dp-old", 0, 0, RawSite.params(0f, 0f))).statusCode());
            }
            HttpResponse<String> refused = old.firstAnswer();
            assertNotNull(refused, "no answer but 204 within 20 s");
            assertEquals(409, refused.statusCode(), refused.body());
            String why = JsonParser.parseString(refused.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(why.contains("site 'old'") && why.contains("\"supports\": [\"client-dp\"]")
                    && why.contains("clientDp"), why);
            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            h.fresh("dp-old");
        }
    }
}
