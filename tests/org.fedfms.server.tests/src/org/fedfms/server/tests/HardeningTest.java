package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.security.PinnedTrust;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * What one authenticated site, a slow link or a bad body can no longer do to a federation (issue 16): counts beyond
 * the join, huge finite values, forged log lines, oversized streamed bodies, floods of polls, dead sites, lax JSON,
 * crawling uploads, paths chosen by the coordinator.
 */
class HardeningTest {

    @Test
    void countsBeyondTheJoinAndHugeValuesAreRefusedAndFailureMessagesAreEscapedAndBounded() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-counts", List.of("raw"), Map.of())) {
            h.fresh("hard-counts");
            RawSite raw = new RawSite(h, "raw");
            assertEquals(200, raw.join(10).statusCode());
            h.federation.create(CoordinatorHarness.spec("hard-counts", "hard-counts").minSites(1).rounds(1)
                    .roundDeadlineSeconds(60).build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("hard-counts");
            JsonObject initial = raw.task();
            assertEquals(200, raw.upload(initial, raw.update("hard-counts", 0, 0, RawSite.params(0.1f, 0.5f)))
                    .statusCode());
            JsonObject fit = raw.task();
            assertEquals("FIT", fit.get("kind").getAsString());

            HttpResponse<String> tooMany = raw.upload(fit, raw.update("hard-counts", 1, 1L << 62,
                    RawSite.params(1f, 1f)));
            assertEquals(422, tooMany.statusCode(), tooMany.body());
            assertTrue(tooMany.body().contains("declared 10 training samples"), tooMany.body());
            HttpResponse<String> huge = raw.upload(fit, raw.update("hard-counts", 1, 10, RawSite.params(3e38f, 0f)));
            assertEquals(422, huge.statusCode(), huge.body());
            assertTrue(huge.body().contains("site 'raw'") && huge.body().contains("limits.maxAbsParameter"),
                    huge.body());

            JsonObject failure = new JsonObject();
            failure.addProperty("message", "boom\nINFO: site site-1 joined\n" + "x".repeat(900_000));
            assertEquals(200, h.call("POST", raw.path(fit, "failure"), raw.token, failure.toString()).statusCode());
            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            List<String> stored = new ArrayList<>();
            stored.add(done.message());
            for (RoundResult r : h.federation.history("hard-counts")) {
                r.sites().stream().map(SiteRoundResult::error).forEach(stored::add);
            }
            assertTrue(stored.stream().anyMatch(s -> s != null && s.contains("boom\\nINFO: site site-1 joined")),
                    "the site's message, escaped, in " + stored);
            for (String s : stored) {
                if (s != null) {
                    assertFalse(s.contains("\nINFO: site"), "no forged line in: "
                            + s.substring(0, Math.min(200, s.length())));
                    assertTrue(s.length() < 5000, "bounded: " + s.length() + " characters");
                }
            }
        }
    }

    @Test
    void evaluationsBeyondTheJoinAndOfASiteWhoseFitFailedDoNotCount() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-eval", List.of("a", "b"), Map.of())) {
            h.fresh("hard-eval");
            RawSite a = new RawSite(h, "a");
            RawSite b = new RawSite(h, "b");
            assertEquals(200, a.join(10).statusCode());
            assertEquals(200, b.join(10).statusCode());
            h.federation.create(CoordinatorHarness.spec("hard-eval", "hard-eval").minSites(1).rounds(1)
                    .roundDeadlineSeconds(60).build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("hard-eval");
            JsonObject[] fits = fits(a, b, "hard-eval");
            JsonObject fitOfA = fits[0];
            JsonObject fitOfB = fits[1];
            assertEquals("FIT", fitOfA.get("kind").getAsString());
            assertEquals("FIT", fitOfB.get("kind").getAsString());
            JsonObject failure = new JsonObject();
            failure.addProperty("message", "out of memory");
            assertEquals(200, h.call("POST", a.path(fitOfA, "failure"), a.token, failure.toString()).statusCode());
            assertEquals(200, b.upload(fitOfB, b.update("hard-eval", 1, 10, RawSite.params(1f, 1f))).statusCode());

            JsonObject evaluation = b.task();
            assertEquals("EVALUATE", evaluation.get("kind").getAsString());
            HttpResponse<String> forged = h.call("POST", b.path(evaluation, "evaluation"), b.token,
                    "{\"sampleCount\": 1, \"metrics\": {\"mse\\nINFO: forged\": 0.5}}");
            assertEquals(422, forged.statusCode(), forged.body());
            assertTrue(forged.body().contains("control character"), forged.body());
            HttpResponse<String> claimed = h.call("POST", b.path(evaluation, "evaluation"), b.token,
                    "{\"sampleCount\": 1000000000000, \"metrics\": {\"mse\": 0.0}}");
            assertEquals(422, claimed.statusCode(), claimed.body());
            assertTrue(claimed.body().contains("declared 10"), claimed.body());
            HttpResponse<String> none = h.call("GET", "api/v1/sites/a/task?wait=2", a.token, null);
            assertEquals(204, none.statusCode(), "site a, whose fit failed, is not asked to evaluate: " + none.body());
            run.get(60, TimeUnit.SECONDS);
        }
    }

    /** Answers the initial task (whichever site gets it) and returns the fit tasks of round 1 of a and b. */
    private static JsonObject[] fits(RawSite a, RawSite b, String experiment) throws Exception {
        CompletableFuture<JsonObject> ofA = CompletableFuture.supplyAsync(() -> task(a));
        CompletableFuture<JsonObject> ofB = CompletableFuture.supplyAsync(() -> task(b));
        CompletableFuture.anyOf(ofA, ofB).get(30, TimeUnit.SECONDS);
        boolean aFirst = ofA.isDone() && ofA.get().get("kind").getAsString().equals("INITIAL");
        RawSite first = aFirst ? a : b;
        JsonObject initial = aFirst ? ofA.get() : ofB.get(30, TimeUnit.SECONDS);
        assertEquals("INITIAL", initial.get("kind").getAsString());
        assertEquals(200, first.upload(initial, first.update(experiment, 0, 0, RawSite.params(0.1f, 0.5f)))
                .statusCode());
        JsonObject fitOfFirst = first.task();
        JsonObject fitOfOther = (aFirst ? ofB : ofA).get(30, TimeUnit.SECONDS);
        return aFirst ? new JsonObject[] {fitOfFirst, fitOfOther} : new JsonObject[] {fitOfOther, fitOfFirst};
    }

    private static JsonObject task(RawSite s) {
        try {
            return s.task();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aStreamedJsonBodyIsCutOffAtTheLimit() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-body", List.of("s"), Map.of())) {
            InputStream body = new SequenceInputStream(new ByteArrayInputStream("{\"trainSamples\": 5}"
                    .getBytes(StandardCharsets.UTF_8)), new ByteArrayInputStream(" ".repeat(2 << 20)
                            .getBytes(StandardCharsets.UTF_8)));
            try {
                HttpResponse<String> r = h.client.send(HttpRequest.newBuilder(h.uri().resolve("api/v1/sites/s/join"))
                        .header("Authorization", "Bearer " + CoordinatorHarness.token("s"))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(413, r.statusCode(), r.body());
            } catch (java.io.IOException closedWhileSending) {
                // the coordinator answered 413 and closed the connection while the body was still being sent
            }
            assertEquals(0, h.coordinator.sitesConnected(), "the join was not read to its end");
            assertEquals(200, h.call("GET", "health", null, null).statusCode());
        }
    }

    @Test
    void aFloodOfPollsFromOneSiteIsCappedAndHealthStillAnswers() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-polls", List.of("s"),
                Map.of("limits.siteConcurrentRequests", "4"))) {
            RawSite s = new RawSite(h, "s");
            assertEquals(200, s.join(5).statusCode());
            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                polls.add(h.client.sendAsync(HttpRequest.newBuilder(h.uri().resolve("api/v1/sites/s/task?wait=2"))
                        .header("Authorization", "Bearer " + s.token).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            assertEquals(200, h.call("GET", "health", null, null).statusCode());
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> p : polls) {
                HttpResponse<String> r = p.get(30, TimeUnit.SECONDS);
                if (r.statusCode() == 429) {
                    refused++;
                    assertTrue(r.body().contains("limits.siteConcurrentRequests"), r.body());
                } else {
                    assertEquals(204, r.statusCode(), r.body());
                }
            }
            assertTrue(refused >= 10, refused + " of 20 polls refused with at most 4 in progress");
        }
    }

    @Test
    void longPollsDoNotHoldAThreadEach() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-async", List.of("s"),
                Map.of("limits.siteConcurrentRequests", "500", "poll.maxWaitSeconds", "5"))) {
            RawSite s = new RawSite(h, "s");
            assertEquals(200, s.join(5).statusCode());
            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                polls.add(h.client.sendAsync(HttpRequest.newBuilder(h.uri().resolve("api/v1/sites/s/task?wait=5"))
                        .header("Authorization", "Bearer " + s.token).timeout(Duration.ofSeconds(60)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            // the join, the 100 polls and each /metrics asked so far
            CoordinatorHarness.awaitTrue(() -> requestsServed(h) >= 101 + asked.incrementAndGet(),
                    "the 100 polls arrived", 30_000);
            long waiting = Thread.getAllStackTraces().values().stream().filter(stack -> java.util.Arrays.stream(stack)
                    .anyMatch(f -> f.getClassName().endsWith("SiteConnection") || f.getClassName().endsWith("SiteApi")))
                    .count();
            assertTrue(waiting <= 2, waiting + " threads wait inside a poll");
            assertEquals(200, h.call("GET", "health", null, null).statusCode());
            for (CompletableFuture<HttpResponse<String>> p : polls) {
                assertEquals(204, p.get(60, TimeUnit.SECONDS).statusCode());
            }
        }
    }

    private static long requestsServed(CoordinatorHarness h) {
        try {
            String metrics = h.call("GET", "metrics", null, null).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("fedfms_http_requests_total (\\d+)")
                    .matcher(metrics);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSiteNotHeardFromWithinTheLeaseIsLeftOutUntilItPollsAgain() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-lease", List.of("s"),
                Map.of("limits.siteLeaseSeconds", "1"))) {
            RawSite s = new RawSite(h, "s");
            var spec = CoordinatorHarness.spec("hard-lease", "hard-lease").minSites(1).build();
            assertEquals(200, s.join(5).statusCode());
            assertTrue(h.coordinator.ready(spec), "joined just now");
            CoordinatorHarness.awaitTrue(() -> !h.coordinator.ready(spec), "left out after its lease", 10_000);
            assertTrue(h.coordinator.sites(spec).isEmpty());
            assertEquals(204, h.call("GET", "api/v1/sites/s/task?wait=0", s.token, null).statusCode());
            assertTrue(h.coordinator.ready(spec), "back once it polled");
        }
    }

    @Test
    void malformedOrLaxAdminBodiesAre4xxNamingTheField() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-json", List.of("s"), Map.of())) {
            h.fresh("hard-json");
            h.federation.create(CoordinatorHarness.spec("hard-json", "hard-json").build());
            String path = "api/v1/experiments/hard-json/strategy";
            assertRefused(h, path, "{\"strategy\":{}}", "'strategy' must be text");
            assertRefused(h, path, "{\"strategy\":[1,2]}", "'strategy' must be text");
            assertRefused(h, path, "{\"strategy\":\"fedavg\",\"settings\":\"x\"}", "'settings' must be a JSON object");
            assertRefused(h, path, "{\"strategy\":\"fedavg\",\"settings\":[1]}", "'settings' must be a JSON object");
            assertRefused(h, path, "{\"strategy\":\"fedavg\",\"strategy\":\"krum\"}", "duplicate key 'strategy'");

            String create = "api/v1/experiments";
            assertRefused(h, create, "{'name': 'single-quoted'}", "not valid JSON");
            assertRefused(h, create, "{\"name\": \"a\", \"name\": \"b\"}", "duplicate key 'name'");
            assertRefused(h, create, "{\"name\": null}", "'name' is null");
            assertRefused(h, create, "{\"name\": \"hard-json-2\", \"trainer\": \"no-such-trainer\"}",
                    "unknown trainer 'no-such-trainer'");
            assertEquals(404, h.call("GET", "api/v1/experiments/experiment", CoordinatorHarness.ADMIN, null)
                    .statusCode(), "no experiment was made from a null name");
        }
    }

    private static void assertRefused(CoordinatorHarness h, String path, String body, String message)
            throws Exception {
        HttpResponse<String> r = h.call("POST", path, CoordinatorHarness.ADMIN, body);
        assertEquals(400, r.statusCode(), body + " -> " + r.body());
        assertTrue(r.body().contains(message), "'" + message + "' in " + r.body());
        assertFalse(r.body().contains("Exception"), r.body());
    }

    @Test
    void aWeightsPathIsOpenedByTheCoordinatorOnlyAndNeverSentToTheSites() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-path", List.of("s"), Map.of())) {
            h.fresh("hard-path");
            h.agent("s", "site-0", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 1, "joined");
            h.federation.create(CoordinatorHarness.spec("hard-path", "hard-path").minSites(1).rounds(1)
                    .roundDeadlineSeconds(30).trainerOptions(Map.of("weights", "/etc/passwd")).build());
            ExperimentStatus done = h.federation.start("hard-path").get(60, TimeUnit.SECONDS);
            assertNotEquals(ExperimentStatus.State.COMPLETED, done.state(), done.toString());
            List<String> said = new ArrayList<>();
            said.add(done.message());
            for (RoundResult r : h.federation.history("hard-path")) {
                r.sites().stream().map(SiteRoundResult::error).forEach(said::add);
            }
            // the coordinator reads the file (not a checkpoint here) and says so; no site is sent the path
            // (StartingStateTest: a site refuses a trainer option naming a path)
            assertTrue(said.stream().anyMatch(m -> m != null && m.contains("/etc/passwd cannot be read at the "
                    + "coordinator")), said.toString());
        }
    }

    @Test
    void aCrawlingUploadIsCutOffAndDoesNotStallAnHonestOne() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("hard-slow", List.of("a", "b"),
                Map.of("limits.concurrentUploads", "1", "limits.minUploadBytesPerSecond", "1000",
                        "limits.uploadGraceSeconds", "1"))) {
            h.fresh("hard-slow");
            RawSite a = new RawSite(h, "a");
            RawSite b = new RawSite(h, "b");
            assertEquals(200, a.join(10).statusCode());
            assertEquals(200, b.join(10).statusCode());
            h.federation.create(CoordinatorHarness.spec("hard-slow", "hard-slow").minSites(2).rounds(1)
                    .roundDeadlineSeconds(120).build());
            h.federation.start("hard-slow");
            JsonObject[] fits = fits(a, b, "hard-slow");
            JsonObject fitOfA = fits[0];
            JsonObject fitOfB = fits[1];
            byte[] slow = a.update("hard-slow", 1, 10, RawSite.params(2f, 2f));
            CompletableFuture<String> crawl = CompletableFuture.supplyAsync(() -> crawl(h, a, fitOfA, slow));
            Thread.sleep(500);
            HttpResponse<String> honest = h.client.send(HttpRequest.newBuilder(h.uri().resolve(b.path(fitOfB,
                    "update"))).header("Authorization", "Bearer " + b.token).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b.update("hard-slow", 1, 10,
                            RawSite.params(1f, 1f)))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, honest.statusCode(), honest.body());
            String answer = crawl.get(60, TimeUnit.SECONDS);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("limits.minUploadBytesPerSecond"), answer);
        }
    }

    /** Sends the update over a raw TLS socket one byte per second; returns the coordinator's answer. */
    private static String crawl(CoordinatorHarness h, RawSite site, JsonObject task, byte[] body) {
        try (var socket = PinnedTrust.fingerprint(h.coordinator.fingerprint()).getSocketFactory()
                .createSocket("127.0.0.1", h.coordinator.port())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /" + site.path(task, "update") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + site.token + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "no answer: " + e;
                }
            });
            for (int i = 0; i < body.length && !answer.isDone(); i++) {
                try {
                    out.write(body[i]);
                    out.flush();
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(1000);
            }
            return answer.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
