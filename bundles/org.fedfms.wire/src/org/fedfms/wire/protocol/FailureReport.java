package org.fedfms.wire.protocol;

import com.google.gson.JsonObject;

/**
 * A site's report that it could not do a task ({@code POST .../tasks/<id>/failure}).
 *
 * @param message why, as the site says it
 */
public record FailureReport(String message) {

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("message", message);
        return o;
    }

    /** Reads a failure body; {@code message} is optional text. */
    public static FailureReport of(JsonObject o) {
        StrictJson.onlyKeys(o, "failure", "message");
        return new FailureReport(o.has("message") ? StrictJson.text(o, "message") : "no reason given");
    }
}
