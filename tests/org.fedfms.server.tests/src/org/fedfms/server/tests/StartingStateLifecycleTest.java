package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.wire.ParameterDigest;
import org.fedfms.wire.WireDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The coordinator's side of a remote experiment's starting state: it holds the state in memory only while the
 * experiment runs (let go when the run ends, nothing after the experiment is removed, the new weights after it
 * is created again), and gives a task that needs it only to a site whose agent declared it can take one.
 */
class StartingStateLifecycleTest {

    private static final String NAME = "state-life";

    @TempDir
    Path tmp;

    /** The {@code fedfms_starting_states_held} gauge at {@code /metrics}. */
    private static long held(CoordinatorHarness h) {
        try {
            HttpResponse<String> r = h.call("GET", "metrics", null, null);
            assertEquals(200, r.statusCode(), r.body());
            return r.body().lines().filter(l -> l.startsWith("fedfms_starting_states_held "))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                    .orElseThrow(() -> new AssertionError("no fedfms_starting_states_held in " + r.body()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Path weights(String file, ParameterSet p) throws Exception {
        Path f = tmp.resolve(file);
        ParameterFiles.write(f, p);
        return f;
    }

    private static CompletableFuture<ExperimentStatus> start(CoordinatorHarness h, Path weights) {
        h.federation.create(CoordinatorHarness.spec(NAME, NAME).minSites(1).rounds(1).roundDeadlineSeconds(60)
                .weights(weights.toString()).build());
        return h.federation.start(NAME);
    }

    @Test
    void theStateIsHeldWhileItsExperimentRunsAndLetGoWhenItEndsIsRemovedOrReplaced() throws Exception {
        ParameterSet first = RawSite.params(0.1f, 0.5f);
        ParameterSet second = RawSite.params(-0.3f, 0.25f);
        try (CoordinatorHarness h = new CoordinatorHarness(NAME, List.of("raw"), Map.of())) {
            h.fresh(NAME);
            RawSite raw = new RawSite(h, "raw");
            assertEquals(200, raw.join(10).statusCode());
            assertEquals(0, held(h));

            CompletableFuture<ExperimentStatus> run = start(h, weights("first.safetensors", first));
            JsonObject task = raw.task();
            assertEquals(ParameterDigest.sha256(first), task.get("startingState").getAsString());
            assertEquals(1, held(h), "held while the experiment runs");
            assertTrue(downloaded(h, raw, task).equalsWithin(first, 0));
            fail(h, raw, task);
            run.get(60, TimeUnit.SECONDS);
            CoordinatorHarness.awaitTrue(() -> held(h) == 0, "the state let go when the run ended");

            assertTrue(h.federation.remove(NAME, true));
            assertEquals(0, held(h), "nothing held for a removed experiment");

            run = start(h, weights("second.safetensors", second));
            task = raw.task();
            assertEquals(ParameterDigest.sha256(second), task.get("startingState").getAsString(),
                    "the experiment created again announces its own weights");
            assertEquals(1, held(h), "only the new experiment's state");
            assertTrue(downloaded(h, raw, task).equalsWithin(second, 0), "the new state, not the old one's bytes");
            fail(h, raw, task);
            run.get(60, TimeUnit.SECONDS);
            CoordinatorHarness.awaitTrue(() -> held(h) == 0, "the state let go when the second run ended");
            h.fresh(NAME);
        }
    }

    @Test
    void aSiteWhoseJoinDoesNotDeclareStartingStatesIsRefusedItsTaskNamingWhatIsMissing() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness(NAME, List.of("old"), Map.of())) {
            h.fresh(NAME);
            RawSite old = new RawSite(h, "old");
            // the join of an agent from before starting states: no "supports"
            assertEquals(200, h.call("POST", "api/v1/sites/old/join", old.token, "{\"trainSamples\": 10, "
                    + "\"validationSamples\": 10}").statusCode());
            CompletableFuture<ExperimentStatus> run = start(h, weights("w.safetensors", RawSite.params(1f, 0f)));
            HttpResponse<String> refused = old.firstAnswer();
            assertTrue(refused != null, "no answer but 204 within 20 s");
            assertEquals(409, refused.statusCode(), refused.body());
            String why = JsonParser.parseString(refused.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(why.contains("site 'old'") && why.contains("\"supports\": [\"starting-state\"]")
                    && why.contains("experiment '" + NAME + "'"), why);
            ExperimentStatus done = run.get(60, TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            assertTrue(done.message().contains("\"supports\": [\"starting-state\"]"), done.message());
            h.fresh(NAME);
        }
    }

    private static ParameterSet downloaded(CoordinatorHarness h, RawSite raw, JsonObject task) throws Exception {
        HttpResponse<byte[]> r = h.download(raw.path(task, "starting-state"), raw.token);
        assertEquals(200, r.statusCode());
        return WireDecoder.withDefaults().decode(new ByteArrayInputStream(r.body())).parameters();
    }

    private static void fail(CoordinatorHarness h, RawSite raw, JsonObject task) throws Exception {
        JsonObject failure = new JsonObject();
        failure.addProperty("message", "stopping here");
        assertEquals(200, h.call("POST", raw.path(task, "failure"), raw.token, failure.toString()).statusCode());
    }
}
