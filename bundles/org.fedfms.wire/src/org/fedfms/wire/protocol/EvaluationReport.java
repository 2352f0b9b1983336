package org.fedfms.wire.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A site's answer to an evaluation task ({@code POST .../tasks/<id>/evaluation}).
 *
 * @param sampleCount samples evaluated
 * @param metrics metric values by name; NaN for a metric not defined on the samples (Dice where every mask is
 *     empty), which travels as JSON {@code null}
 */
public record EvaluationReport(long sampleCount, Map<String, Double> metrics) {

    public EvaluationReport {
        metrics = Map.copyOf(metrics);
    }

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("sampleCount", sampleCount);
        JsonObject m = new JsonObject();
        metrics.forEach((k, v) -> {
            if (Double.isNaN(v)) {
                m.add(k, com.google.gson.JsonNull.INSTANCE);
            } else {
                m.addProperty(k, v);
            }
        });
        o.add("metrics", m);
        return o;
    }

    /**
     * Reads an evaluation body: {@code sampleCount} a whole number ≥ 0, {@code metrics} finite numbers by name, or
     * {@code null} for a metric not defined on the samples (read as NaN).
     */
    public static EvaluationReport of(JsonObject o) {
        StrictJson.onlyKeys(o, "evaluation", "sampleCount", "metrics");
        long count = StrictJson.count(o, "sampleCount", 0);
        Map<String, Double> values = new LinkedHashMap<>();
        if (o.has("metrics")) {
            JsonElement m = o.get("metrics");
            if (!m.isJsonObject()) {
                throw new ProtocolException("'metrics' must be a JSON object of names and numbers");
            }
            for (Map.Entry<String, JsonElement> e : m.getAsJsonObject().entrySet()) {
                values.put(e.getKey(), e.getValue().isJsonNull() ? Double.NaN
                        : StrictJson.finite(e.getValue(), "metrics." + e.getKey()));
            }
        }
        return new EvaluationReport(count, values);
    }
}
