package org.fedfms.shell;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * An experiment as one JSON document ({@code experiment.json} of an export): its spec (as
 * {@link ExperimentSpecJson} writes it), its status, the final summary of the comparison table and the
 * whole round history with every site. Numbers are written with every digit; NaN as {@code NaN}.
 */
public final class ExperimentReport {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private ExperimentReport() {
    }

    /** The document, pretty-printed. */
    public static String toJson(ExperimentSpec spec, ExperimentStatus status, List<RoundResult> history,
            ExperimentSummary summary, Instant exportedAt) {
        JsonObject root = new JsonObject();
        root.addProperty("experiment", spec.name());
        root.addProperty("exportedAt", exportedAt.toString());
        root.add("spec", JsonParser.parseString(ExperimentSpecJson.toJson(spec)));
        root.addProperty("startingPoint", status.startingPoint().describe());
        BestRound.of(history).ifPresent(b -> {
            JsonObject best = new JsonObject();
            best.addProperty("round", b.round());
            best.addProperty("metric", b.metric());
            best.addProperty("value", b.value());
            root.add("bestRound", best);
        });
        root.add("status", status(status));
        root.add("final", summary(summary));
        JsonArray rounds = new JsonArray();
        history.forEach(r -> rounds.add(round(r)));
        root.add("history", rounds);
        return GSON.toJson(root) + "\n";
    }

    private static JsonObject status(ExperimentStatus s) {
        JsonObject o = new JsonObject();
        o.addProperty("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("completedRounds", s.completedRounds());
        o.addProperty("plannedRounds", s.plannedRounds());
        o.addProperty("protocol", s.protocol().id());
        o.addProperty("strategy", s.strategyId());
        o.add("strategySettings", map(s.strategySettings()));
        o.addProperty("message", s.message());
        return o;
    }

    private static JsonObject summary(ExperimentSummary s) {
        JsonObject o = new JsonObject();
        o.addProperty("method", s.method());
        o.addProperty("protocol", s.protocol().id());
        o.addProperty("model", s.model());
        o.addProperty("adapter", s.adapter());
        o.addProperty("completedRounds", s.completedRounds());
        o.addProperty("evaluatedOn", s.evaluatedOn());
        o.add("evaluation", metrics(s.evaluation()));
        JsonObject sites = new JsonObject();
        for (ExperimentSummary.SiteSummary site : s.sites()) {
            JsonObject x = new JsonObject();
            x.addProperty("role", site.role());
            x.add("evaluation", metrics(site.evaluation()));
            x.add("bytesUpPerRound", number(site.bytesUpPerRound()));
            x.add("bytesDownPerRound", number(site.bytesDownPerRound()));
            x.add("secondsPerRound", number(site.secondsPerRound()));
            sites.add(site.siteId(), x);
        }
        o.add("sites", sites);
        o.add("trainableParameters", s.trainableParameters() < 0 ? JsonNull.INSTANCE
                : new JsonPrimitive(s.trainableParameters()));
        o.add("bytesUpPerRound", number(s.bytesUpPerRound()));
        o.add("bytesDownPerRound", number(s.bytesDownPerRound()));
        o.add("secondsPerRound", number(s.secondsPerRound()));
        return o;
    }

    private static JsonObject round(RoundResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("round", r.round());
        o.addProperty("strategy", r.strategyId());
        o.add("strategySettings", map(r.strategySettings()));
        o.add("fitMetrics", metrics(r.fitMetrics()));
        o.add("evaluationMetrics", metrics(r.evaluationMetrics()));
        o.addProperty("bytesUp", r.bytesUp());
        o.addProperty("bytesDown", r.bytesDown());
        o.addProperty("durationMillis", r.durationMillis());
        o.addProperty("completedAt", r.completedAt() == null ? null : r.completedAt().toString());
        o.addProperty("note", r.note());
        JsonArray sites = new JsonArray();
        for (SiteRoundResult s : r.sites()) {
            JsonObject x = new JsonObject();
            x.addProperty("site", s.siteId());
            x.addProperty("status", s.status().name().toLowerCase(java.util.Locale.ROOT));
            x.addProperty("samples", s.sampleCount());
            x.add("fitMetrics", metrics(s.fitMetrics()));
            x.add("evaluationMetrics", metrics(s.evaluationMetrics()));
            x.addProperty("bytesUp", s.bytesUp());
            x.addProperty("bytesDown", s.bytesDown());
            x.addProperty("durationMillis", s.durationMillis());
            x.addProperty("error", s.error());
            sites.add(x);
        }
        o.add("sites", sites);
        return o;
    }

    private static JsonObject metrics(Metrics m) {
        JsonObject o = new JsonObject();
        m.values().forEach((k, v) -> o.add(k, number(v)));
        return o;
    }

    private static JsonElement number(double v) {
        return new JsonPrimitive(v);
    }

    private static JsonElement map(Map<String, Object> values) {
        return GSON.toJsonTree(new TreeMap<>(values));
    }
}
