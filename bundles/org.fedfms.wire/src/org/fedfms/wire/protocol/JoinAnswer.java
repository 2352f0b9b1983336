package org.fedfms.wire.protocol;

import com.google.gson.JsonObject;

/**
 * The coordinator's answer to a join.
 *
 * @param siteId the site as the coordinator knows it
 * @param maxPollSeconds the longest wait a task poll may ask for
 */
public record JoinAnswer(String siteId, int maxPollSeconds) {

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("siteId", siteId);
        o.addProperty("maxPollSeconds", maxPollSeconds);
        return o;
    }
}
