package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.wire.WireMessage;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** A site spoken for by the test itself, request by request, on a {@link CoordinatorHarness}. */
final class RawSite {

    final CoordinatorHarness h;
    final String id;
    final String token;

    RawSite(CoordinatorHarness h, String id) {
        this.h = h;
        this.id = id;
        this.token = CoordinatorHarness.token(id);
    }

    HttpResponse<String> join(long trainSamples) throws Exception {
        return h.call("POST", "api/v1/sites/" + id + "/join", token, "{\"trainSamples\": " + trainSamples
                + ", \"validationSamples\": " + trainSamples + ", \"supports\": [\"starting-state\"]}");
    }

    /** The first answer to this site's task polls that is not 204 (no task yet) within 20 s; null if none. */
    HttpResponse<String> firstAnswer() throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = h.call("GET", "api/v1/sites/" + id + "/task?wait=2", token, null);
            if (r.statusCode() != 204) {
                return r;
            }
        }
        return null;
    }

    /** The next task (polling up to 20 s). */
    JsonObject task() throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = h.call("GET", "api/v1/sites/" + id + "/task?wait=2", token, null);
            if (r.statusCode() == 200) {
                return JsonParser.parseString(r.body()).getAsJsonObject();
            }
            assertEquals(204, r.statusCode(), r.body());
        }
        throw new AssertionError("no task for " + id + " within 20 s");
    }

    String path(JsonObject task, String what) {
        return "api/v1/sites/" + id + "/tasks/" + task.get("taskId").getAsString() + "/" + what;
    }

    byte[] update(String experiment, int round, long samples, ParameterSet p) throws Exception {
        return CoordinatorHarness.encode(WireMessage.update(experiment, round, id, samples, Metrics.of("loss", 0.5),
                p));
    }

    HttpResponse<String> upload(JsonObject task, byte[] body) throws Exception {
        return h.upload(path(task, "update"), token, body);
    }

    static ParameterSet params(float w, float b) {
        return ParameterSet.builder().add("linear.weight", new int[] {1, 3}, new float[] {w, w, w})
                .add("linear.bias", new int[] {1}, new float[] {b}).build();
    }
}
