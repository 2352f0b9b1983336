package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.security.TokenHash;
import org.fedfms.server.internal.CoordinatorConfig;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Credentials (401/403) and every kind of bad update (4xx, global unchanged, server still serving). */
class SecurityAndBadUpdateTest {

    @Test
    void credentialsAreCheckedAndASiteActsOnlyAsItself() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("auth", List.of("a", "b"), Map.of())) {
            String a = CoordinatorHarness.token("a");
            String b = CoordinatorHarness.token("b");
            assertStatus(401, h.call("GET", "api/v1/experiments", null, null), "no credentials");
            assertStatus(401, h.call("GET", "api/v1/experiments", "wrong", null), "not valid");
            assertStatus(403, h.call("GET", "api/v1/experiments", a, null), "may not use the admin API");
            assertStatus(403, h.call("POST", "api/v1/experiments/x/start", b, null), "may not use the admin API");
            assertEquals(200, h.call("GET", "api/v1/experiments", CoordinatorHarness.ADMIN, null).statusCode());

            assertStatus(401, h.call("POST", "api/v1/sites/b/join", null, "{}"), "no credentials");
            assertStatus(401, h.call("POST", "api/v1/sites/b/join", "token-of-c", "{}"), "not valid");
            assertStatus(403, h.call("POST", "api/v1/sites/b/join", a, "{}"), "a cannot act as site 'b'");
            assertStatus(403, h.call("POST", "api/v1/sites/b/join", CoordinatorHarness.ADMIN, "{}"),
                    "admin credential cannot act");
            assertStatus(409, h.call("GET", "api/v1/sites/b/task?wait=1", b, null), "has not joined");
            assertEquals(200, h.call("POST", "api/v1/sites/b/join", b, "{\"trainSamples\": 5}").statusCode());
            assertEquals(204, h.call("GET", "api/v1/sites/b/task?wait=1", b, null).statusCode());
            assertStatus(403, h.call("GET", "api/v1/sites/b/task?wait=1", a, null), "cannot act as site 'b'");
            assertEquals(1, h.coordinator.sitesConnected());
            assertEquals(200, h.call("GET", "health", null, null).statusCode());
        }
    }

    @Test
    void configurationRefusesPlainHttpAwayFromLoopbackAndBadHashes() {
        Map<String, String> p = new java.util.HashMap<>(Map.of("host", "0.0.0.0", "tls", "off", "sites", "a",
                "site.a.token", TokenHash.of("x").text(), "admin.token", TokenHash.of("y").text()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoordinatorConfig.from(p, Path.of(".")));
        assertTrue(e.getMessage().contains("tls=off is allowed on a loopback address only"), e.getMessage());
        p.put("host", "127.0.0.1");
        assertEquals(CoordinatorConfig.Tls.OFF, CoordinatorConfig.from(p, Path.of(".")).tls());
        p.put("site.a.token", "plaintext");
        e = assertThrows(IllegalArgumentException.class, () -> CoordinatorConfig.from(p, Path.of(".")));
        assertTrue(e.getMessage().contains("site.a.token"), e.getMessage());
        TokenHash t = TokenHash.of("secret");
        assertTrue(TokenHash.parse(t.text(), "x").matches("secret"));
        assertTrue(!TokenHash.parse(t.text(), "x").matches("secreT"));
    }

    @Test
    void badUpdatesAreRefusedAndTheGlobalModelStaysAsItWas() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("bad-updates", List.of("raw"),
                Map.of("limits.maxUploadBytes", "4096"))) {
            h.fresh("bad-updates");
            String token = CoordinatorHarness.token("raw");
            assertEquals(200, h.call("POST", "api/v1/sites/raw/join", token, "{\"trainSamples\": 10}").statusCode());
            h.federation.create(CoordinatorHarness.spec("bad-updates", "bad-updates").minSites(1).rounds(1)
                    .roundDeadlineSeconds(60).build());
            CompletableFuture<ExperimentStatus> run = h.federation.start("bad-updates");

            JsonObject initial = task(h, token);
            assertEquals("INITIAL", initial.get("kind").getAsString());
            ParameterSet start = params(new float[] {0.1f, 0.2f, 0.3f}, 0.5f);
            assertEquals(200, h.upload(taskPath(initial, "update"), token, CoordinatorHarness.encode(
                    WireMessage.update("bad-updates", 0, "raw", 0, Metrics.empty(), start))).statusCode());

            JsonObject fit = task(h, token);
            assertEquals("FIT", fit.get("kind").getAsString());
            assertEquals(1, fit.get("round").getAsInt());
            HttpResponse<byte[]> global = h.download(taskPath(fit, "parameters"), token);
            assertEquals(200, global.statusCode());
            WireMessage globalMessage = WireDecoder.withDefaults().decode(new ByteArrayInputStream(global.body()));
            ParameterSet downloaded = globalMessage.parameters();
            assertEquals(0.0, downloaded.maxAbsDifference(start));
            assertEquals("", globalMessage.siteId(), "one message for every site of the round");
            assertArrayEquals(global.body(), h.download(taskPath(fit, "parameters"), token).body(),
                    "served again from the same encoded bytes");

            String path = taskPath(fit, "update");
            ParameterSet good = params(new float[] {1f, -2f, 0.5f}, 3f);
            byte[] valid = CoordinatorHarness.encode(update(1, "raw", good));

            refused(h, path, token, Arrays.copyOf(valid, valid.length / 2), 400, "truncated");
            refused(h, path, token, Arrays.copyOf(valid, valid.length - 3), 400, "bytes were sent");
            refused(h, path, token, new byte[5000], 413, "exceeds the limit of 4096 bytes");
            refused(h, path, token, CoordinatorHarness.encode(update(1, "raw", ParameterSet.builder()
                    .add("linear.weight", new int[] {3, 1}, new float[3])
                    .add("linear.bias", new int[] {1}, new float[1]).build())), 422, "has shape [3, 1], expected [1, 3]");
            refused(h, path, token, CoordinatorHarness.encode(update(1, "raw", ParameterSet.builder()
                    .add("linear.weights", new int[] {1, 3}, new float[3])
                    .add("linear.bias", new int[] {1}, new float[1]).build())), 422, "unexpected 'linear.weights'");
            refused(h, path, token, CoordinatorHarness.encode(update(1, "raw",
                    params(new float[] {1f, Float.NaN, 0f}, 0f))), 422, "non-finite");
            refused(h, path, token, CoordinatorHarness.encode(update(1, "raw",
                    params(new float[] {1f, 0f, 0f}, Float.POSITIVE_INFINITY))), 422, "non-finite");
            refused(h, path, token, CoordinatorHarness.encode(update(0, "raw", good)), 409, "stale update");
            refused(h, path, token, CoordinatorHarness.encode(update(1, "other", good)), 403,
                    "says it comes from site 'other'");
            byte[] corrupt = valid.clone();
            corrupt[corrupt.length - 10] ^= 0x55;
            refused(h, path, token, corrupt, 400, "checksum");

            assertEquals(200, h.upload(path, token, valid).statusCode());
            ExperimentStatus done = run.get(30, TimeUnit.SECONDS);
            assertEquals(ExperimentStatus.State.COMPLETED, done.state(), done.message());
            assertEquals(0.0, h.federation.globalParameters("bad-updates").maxAbsDifference(good),
                    "one site: FedAvg is its update");
            refused(h, path, token, valid, 409, "is not open (stale");

            String metrics = h.call("GET", "metrics", null, null).body();
            assertTrue(metrics.contains("fedfms_updates_rejected_total 10"), metrics);
            assertTrue(metrics.contains("fedfms_updates_accepted_total 2"), metrics);
        }
    }

    private static void refused(CoordinatorHarness h, String path, String token, byte[] body, int status,
            String message) throws Exception {
        ParameterSet before = h.federation.globalParameters("bad-updates");
        HttpResponse<String> r = h.upload(path, token, body);
        assertStatus(status, r, message);
        assertArrayEquals(before.get("linear.weight").values(),
                h.federation.globalParameters("bad-updates").get("linear.weight").values(), "global unchanged");
        assertEquals(200, h.call("GET", "health", null, null).statusCode(), "still serving");
    }

    private static WireMessage update(int round, String site, ParameterSet p) {
        return WireMessage.update("bad-updates", round, site, 10, Metrics.of("loss", 0.5), p);
    }

    private static ParameterSet params(float[] w, float b) {
        return ParameterSet.builder().add("linear.weight", new int[] {1, 3}, w)
                .add("linear.bias", new int[] {1}, new float[] {b}).build();
    }

    private static JsonObject task(CoordinatorHarness h, String token) throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = h.call("GET", "api/v1/sites/raw/task?wait=2", token, null);
            if (r.statusCode() == 200) {
                return JsonParser.parseString(r.body()).getAsJsonObject();
            }
            assertEquals(204, r.statusCode(), r.body());
        }
        throw new AssertionError("no task within 20 s");
    }

    private static String taskPath(JsonObject task, String what) {
        return "api/v1/sites/raw/tasks/" + task.get("taskId").getAsString() + "/" + what;
    }

    private static void assertStatus(int status, HttpResponse<String> r, String messagePart) {
        assertEquals(status, r.statusCode(), r.body());
        String error = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
        assertTrue(error.contains(messagePart), "'" + messagePart + "' in: " + error);
    }
}
