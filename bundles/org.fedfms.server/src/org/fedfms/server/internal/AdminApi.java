package org.fedfms.server.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.FederationService;

import com.google.gson.JsonObject;

/**
 * The admin API, {@code /api/v1/experiments/...} and {@code /api/v1/sites}: a thin face over the
 * {@link FederationService} (create, start, resume, pause, cancel, swap the strategy, status and history,
 * remove with {@code DELETE}) and
 * the list of configured sites. Admin credential only.
 */
final class AdminApi {

    private final FederationService federation;
    private final Map<String, SiteConnection> connections;
    private final CallerAuthentication authentication;

    AdminApi(FederationService federation, Map<String, SiteConnection> connections,
            CallerAuthentication authentication) {
        this.federation = federation;
        this.connections = connections;
        this.authentication = authentication;
    }

    void serve(Request request, Response response, Callback callback, String method, String[] parts) {
        authentication.requireAdmin(request);
        if (parts[0].equals("sites")) {
            HttpJson.json(response, callback, 200, ServerJson.GSON.toJsonTree(sites()));
            return;
        }
        if (parts.length == 1) {
            if (method.equals("GET")) {
                HttpJson.json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.experiments()));
            } else if (method.equals("POST")) {
                ExperimentSpec spec = ExperimentSpecJson.fromJson(checkedSpec(HttpJson.object(request,
                        "the experiment spec")).toString(), "the request body");
                requireTrainer(spec.trainer());
                HttpJson.json(response, callback, 201, ServerJson.GSON.toJsonTree(federation.create(spec)));
            } else {
                throw new HttpError(405, method + " is not allowed on /api/v1/experiments");
            }
            return;
        }
        String name = parts[1];
        String action = parts.length > 2 ? parts[2] : "";
        switch (method + " " + action) {
            case "GET " -> json(response, callback, 200, federation.status(name));
            case "DELETE " -> {
                if (!federation.remove(name, true)) {
                    throw new HttpError(404, "no experiment named '" + LogText.of(name) + "'");
                }
                json(response, callback, 200, Map.of("removed", name));
            }
            case "POST start" -> {
                federation.start(name);
                json(response, callback, 202, federation.status(name));
            }
            case "POST resume" -> {
                federation.resume(name);
                json(response, callback, 202, federation.status(name));
            }
            case "POST pause" -> json(response, callback, 200, federation.pause(name));
            case "POST cancel" -> json(response, callback, 200, federation.cancel(name));
            case "POST strategy" -> {
                StrategyChange change = StrategyChange.of(HttpJson.object(request, "the strategy body"));
                json(response, callback, 200, federation.swapStrategy(name, change.strategy(), change.settings()));
            }
            case "GET history" -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
                Content.Sink.write(response, true, ServerJson.GSON.toJson(federation.history(name)), callback);
            }
            case "GET sites" -> json(response, callback, 200, historyBySite(federation.history(name)));
            case "GET progress" -> json(response, callback, 200, federation.progress(name));
            default -> throw new HttpError(404, "no such admin resource: " + method + " /api/v1/"
                    + LogText.of(String.join("/", parts)));
        }
    }

    /** Refuses {@code null} values: a key is either given a value or left out (then it takes its default). */
    private static JsonObject checkedSpec(JsonObject spec) {
        for (Map.Entry<String, com.google.gson.JsonElement> e : spec.entrySet()) {
            if (e.getValue().isJsonNull()) {
                throw new HttpError(400, "experiment spec: '" + LogText.of(e.getKey()) + "' is null: give it a value "
                        + "or leave it out");
            }
        }
        return spec;
    }

    private void requireTrainer(String id) {
        List<String> known = federation.trainerFactories().stream().map(f -> f.id()).sorted().toList();
        if (!known.isEmpty() && !known.contains(id)) {
            throw new HttpError(400, "experiment spec: 'trainer' names an unknown trainer '" + LogText.of(id)
                    + "' (known: " + String.join(", ", known) + ")");
        }
    }

    private static void json(Response response, Callback callback, int status, Object body) {
        HttpJson.json(response, callback, status, ServerJson.GSON.toJsonTree(body));
    }

    private List<Map<String, Object>> sites() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SiteConnection c : connections.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("siteId", c.siteId());
            m.put("joined", c.joined());
            m.put("trainSamples", c.info().trainSamples());
            m.put("lastSeenMillis", c.lastSeenMillis());
            m.put("joins", c.joins());
            list.add(m);
        }
        return list;
    }

    private static Map<String, List<Map<String, Object>>> historyBySite(List<RoundResult> history) {
        Map<String, List<Map<String, Object>>> bySite = new LinkedHashMap<>();
        for (RoundResult r : history) {
            for (SiteRoundResult s : r.sites()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("round", r.round());
                m.put("status", s.status().name());
                m.put("sampleCount", s.sampleCount());
                m.put("fitMetrics", s.fitMetrics().values());
                m.put("evaluationMetrics", s.evaluationMetrics().values());
                m.put("error", s.error());
                m.put("bytesDown", s.bytesDown());
                m.put("bytesUp", s.bytesUp());
                m.put("durationMillis", s.durationMillis());
                bySite.computeIfAbsent(s.siteId(), k -> new ArrayList<>()).add(m);
            }
        }
        return bySite;
    }

    /** The body of {@code POST .../strategy}: a strategy id and, optionally, its settings as an object. */
    record StrategyChange(String strategy, Map<String, Object> settings) {

        static StrategyChange of(JsonObject body) {
            try {
                org.fedfms.wire.protocol.StrictJson.onlyKeys(body, "strategy", "strategy", "settings");
                if (!body.has("strategy")) {
                    throw new HttpError(400, "the body needs \"strategy\" (and optionally \"settings\")");
                }
                String id = org.fedfms.wire.protocol.StrictJson.text(body, "strategy");
                return new StrategyChange(id, org.fedfms.wire.protocol.StrictJson.map(body, "settings"));
            } catch (org.fedfms.wire.protocol.ProtocolException e) {
                throw new HttpError(400, "the strategy body: " + e.getMessage());
            }
        }
    }
}
