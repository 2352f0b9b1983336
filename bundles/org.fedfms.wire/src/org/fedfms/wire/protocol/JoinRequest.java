package org.fedfms.wire.protocol;

import com.google.gson.JsonObject;

/**
 * What a site declares when it joins ({@code POST /api/v1/sites/<id>/join}): how many samples each split of its
 * data holds. The coordinator checks the sample counts of the site's answers against these.
 *
 * @param trainSamples samples in the training split
 * @param validationSamples samples in the validation split
 * @param testSamples samples in the test split
 */
public record JoinRequest(long trainSamples, long validationSamples, long testSamples) {

    public JoinRequest {
        if (trainSamples < 0 || validationSamples < 0 || testSamples < 0) {
            throw new IllegalArgumentException("sample counts must not be negative");
        }
    }

    /** The largest count the site may report for any answer: all of its samples. */
    public long totalSamples() {
        return trainSamples + validationSamples + testSamples;
    }

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("trainSamples", trainSamples);
        o.addProperty("validationSamples", validationSamples);
        o.addProperty("testSamples", testSamples);
        return o;
    }

    /** Reads a join body; every count is optional (0) but must be a whole number ≥ 0 when given. */
    public static JoinRequest of(JsonObject o) {
        StrictJson.onlyKeys(o, "join", "trainSamples", "validationSamples", "testSamples");
        return new JoinRequest(StrictJson.count(o, "trainSamples", 0), StrictJson.count(o, "validationSamples", 0),
                StrictJson.count(o, "testSamples", 0));
    }
}
