package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.site.internal.SiteAgent;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Secure aggregation between a real coordinator (Jetty on loopback) and real site agents in this JVM: the agents
 * mask their updates, the coordinator sums and unmasks; dropouts after masking, too many dropouts, an agent
 * without the feature, and malformed masked answers.
 */
class SecureAggregationRemoteTest {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2");
    /** Fixed-point rounding of the weighted mean (2^-25 per round) and float rounding. */
    private static final double TOLERANCE = 1e-5;

    private static ExperimentSpecBuilder spec(String name) {
        return CoordinatorHarness.spec(name, name).rounds(2).learningRate(0.05).roundDeadlineSeconds(8);
    }

    @Test
    void aSecureRunWithSiteAgentsEqualsThePlainRun() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("secure-remote", SITES, Map.of())) {
            for (String s : SITES) {
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            ParameterSet plain = run(h, "plain-remote", spec("secure-remote").name("plain-remote"));
            ParameterSet secure = run(h, "secure-remote", spec("secure-remote").secureAggregation("on"));
            double diff = secure.maxAbsDifference(plain);
            assertTrue(diff < TOLERANCE, "secure and plain differ by " + diff);
            long values = plain.parameterCount();
            for (RoundResult r : h.federation.history("secure-remote")) {
                assertEquals(3, r.okSites(), r.sites().toString());
                for (SiteRoundResult s : r.sites()) {
                    // keys, sealed shares, the masked vector (8 B a value, plus the weight) and the reveal
                    assertTrue(s.bytesUp() > 8 * (values + 1) + 200, s.siteId() + " uploaded " + s.bytesUp() + " B");
                }
            }
        }
    }

    @Test
    void aSiteKilledAfterMaskingDropsOutAndTheSumStillComesOut() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("secure-kill", SITES, Map.of())) {
            h.agent("site-0", "site-0", null);
            h.agent("site-1", "site-1", null);
            AtomicReference<SiteAgent> doomed = new AtomicReference<>();
            doomed.set(h.agent("site-2", "site-2", (kind, experiment, round) -> {
                if (kind.equals("SECAGG_REVEAL") && experiment.equals("secure-kill")) {
                    doomed.get().kill();
                }
            }));
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            ParameterSet plain = run(h, "plain-kill", spec("secure-kill").name("plain-kill").rounds(1));
            ParameterSet secure = run(h, "secure-kill", spec("secure-kill").rounds(1).minSites(2)
                    .secureAggregation("on"));
            // site-2 masked and uploaded, then died before revealing: its update is in the sum all the same
            assertTrue(secure.maxAbsDifference(plain) < TOLERANCE, "differ by " + secure.maxAbsDifference(plain));
            assertEquals(3, h.federation.history("secure-kill").get(0).okSites());
        }
    }

    @Test
    void tooManyDropoutsFailTheRoundClearly() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("secure-few", SITES, Map.of())) {
            h.fresh("secure-few");
            h.agent("site-0", "site-0", null);
            h.agent("site-1", "site-1", null);
            AtomicReference<SiteAgent> doomed = new AtomicReference<>();
            doomed.set(h.agent("site-2", "site-2", (kind, experiment, round) -> {
                if (kind.equals("SECAGG_REVEAL")) {
                    doomed.get().kill();
                }
            }));
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(spec("secure-few").rounds(1).minSites(2).roundDeadlineSeconds(5)
                    .secureAggregation("threshold=3").build());
            ParameterSet before = h.federation.globalParameters("secure-few").copy();
            FederationException e = assertThrows(FederationException.class, () -> h.federation.runRound("secure-few"));
            assertTrue(e.getMessage().contains("secure aggregation could not unmask the sum")
                    && e.getMessage().contains("threshold 3"), e.getMessage());
            assertEquals(0, h.federation.status("secure-few").completedRounds());
            assertEquals(0.0, h.federation.globalParameters("secure-few").maxAbsDifference(before));
            h.fresh("secure-few");
        }
    }

    @Test
    void anAgentThatDoesNotDeclareSecureAggregationIsRefusedNamingWhatIsMissing() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("secure-old", List.of("old"), Map.of())) {
            h.fresh("secure-old");
            RawSite old = new RawSite(h, "old");
            assertEquals(200, old.join(24).statusCode(), "an agent that supports starting states only");
            h.federation.create(CoordinatorHarness.spec("secure-old", "secure-old").minSites(1).rounds(1)
                    .roundDeadlineSeconds(20).secureAggregation("on").build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("secure-old");
            HttpResponse<String> refused = old.firstAnswer();
            assertNotNull(refused, "no answer but 204 within 20 s");
            if (refused.statusCode() == 200 && refused.body().contains("\"INITIAL\"")) {
                JsonObject task = JsonParser.parseString(refused.body()).getAsJsonObject();
                assertEquals(200, old.upload(task, old.update("secure-old", 0, 0, RawSite.params(0f, 0f)))
                        .statusCode());
                refused = old.firstAnswer();
                assertNotNull(refused, "no answer but 204 within 20 s");
            }
            assertEquals(409, refused.statusCode(), refused.body());
            String why = JsonParser.parseString(refused.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(why.contains("site 'old'") && why.contains("\"supports\": [\"secure-aggregation\"]")
                    && why.contains("secureAggregation"), why);
            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            h.fresh("secure-old");
        }
    }

    @Test
    void oversizedOrMalformedMaskedAnswersAreRefusedAndTheGlobalIsUntouched() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("secure-bad", List.of("site-0", "site-1", "raw"),
                Map.of())) {
            h.fresh("secure-bad");
            h.agent("site-0", "site-0", null);
            h.agent("site-1", "site-1", null);
            RawSite raw = new RawSite(h, "raw");
            String token = CoordinatorHarness.token("raw");
            assertEquals(200, h.call("POST", "api/v1/sites/raw/join", token, "{\"trainSamples\": 24, "
                    + "\"validationSamples\": 24, \"supports\": [\"starting-state\", \"secure-aggregation\"]}")
                    .statusCode());
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("secure-bad", "secure-bad").rounds(1).minSites(3)
                    .roundDeadlineSeconds(20).secureAggregation("on").build());
            ParameterSet before = h.federation.globalParameters("secure-bad").copy();
            CompletableFuture<ExperimentStatus> run = h.federation.start("secure-bad");
            SecAggCodec codec = new SecAggCodec(8, 1);
            SecAggSite site = new SecAggSite("raw", new SecureRandom());
            JsonObject task = raw.task();
            if (task.get("kind").getAsString().equals("INITIAL")) {
                assertEquals(200, raw.upload(task, raw.update("secure-bad", 0, 0, RawSite.params(0f, 0f)))
                        .statusCode());
                task = raw.task();
            }
            assertEquals("SECAGG_KEYS", task.get("kind").getAsString());
            assertEquals(200, h.upload(raw.path(task, "secagg"), token, codec.encode(site.advertiseKeys()))
                    .statusCode());
            task = raw.task();
            assertEquals("SECAGG_SHARES", task.get("kind").getAsString());
            assertEquals(200, h.upload(raw.path(task, "secagg"), token, codec.encode(site.shareKeys(codec.readRoster(
                    payload(task))))).statusCode());
            task = raw.task();
            assertEquals("SECAGG_FIT", task.get("kind").getAsString());
            long values = before.parameterCount();
            String fit = raw.path(task, "secagg") + "?samples=10";

            HttpResponse<String> r = h.upload(fit, token, new byte[(int) SecAggCodec.maxMaskedBytes(values) + 1]);
            assertEquals(413, r.statusCode(), r.body());
            r = h.upload(raw.path(task, "update"), token, raw.update("secure-bad", 1, 10, RawSite.params(1f, 1f)));
            assertEquals(409, r.statusCode(), "a plain update to a secure fit: " + r.body());
            r = h.upload(fit, token, codec.encode(new MaskedInput("raw", new long[(int) values])));
            assertEquals(422, r.statusCode(), r.body());
            assertTrue(r.body().contains("masked vector has " + values + " values"), r.body());
            r = h.upload(fit, token, codec.encode(new MaskedInput("raw", new long[(int) values + 1])));
            assertEquals(409, r.statusCode(), "the task failed with the malformed answer: " + r.body());

            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            assertEquals(0.0, h.federation.globalParameters("secure-bad").maxAbsDifference(before));
            h.fresh("secure-bad");
        }
    }

    private static byte[] payload(JsonObject task) {
        return Base64.getDecoder().decode(task.getAsJsonObject("instructions").get("secagg").getAsString());
    }

    private static ParameterSet run(CoordinatorHarness h, String name, ExperimentSpecBuilder b) {
        h.fresh(name);
        h.federation.create(b.build());
        List<RoundResult> rounds = h.federation.runRounds(name, b.build().schedule().rounds());
        assertEquals(b.build().schedule().rounds(), rounds.size());
        return h.federation.globalParameters(name).copy();
    }
}
