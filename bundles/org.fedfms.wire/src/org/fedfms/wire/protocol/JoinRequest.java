package org.fedfms.wire.protocol;

import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * What a site declares when it joins ({@code POST /api/v1/sites/<id>/join}): how many samples each split of its
 * data holds, and which protocol features its agent supports ({@code "supports"}). The coordinator checks the
 * sample counts of the site's answers against these, and gives a task that needs a feature only to a site that
 * declared it: an agent from before a feature would ignore it silently (e.g. train from random weights instead
 * of the experiment's starting state).
 *
 * @param trainSamples samples in the training split
 * @param validationSamples samples in the validation split
 * @param testSamples samples in the test split
 * @param supports the protocol features the site's agent declares (see {@link #STARTING_STATE}); empty for an
 *     agent from before features were declared
 */
public record JoinRequest(long trainSamples, long validationSamples, long testSamples, List<String> supports) {

    /**
     * The feature of an agent that downloads and trains from an experiment's starting state (a task's
     * {@code startingState}, {@code GET .../tasks/T/starting-state}).
     */
    public static final String STARTING_STATE = "starting-state";

    /**
     * The feature of an agent that codes its transfers as a task's {@code encoding} says (quantized, top-k, deltas
     * with error feedback; {@link DeltaTransfer}).
     */
    public static final String ENCODING = "encoding";

    /**
     * The feature of an agent that clips and noises its update itself when a task's fit instructions carry
     * {@code clientDp} (client-side differential privacy).
     */
    public static final String CLIENT_DP = "client-dp";

    /**
     * The feature of an agent that runs its side of secure aggregation (tasks {@code SECAGG_KEYS},
     * {@code SECAGG_SHARES}, {@code SECAGG_FIT}, {@code SECAGG_REVEAL}), so that its update leaves it masked.
     */
    public static final String SECURE_AGGREGATION = "secure-aggregation";

    /**
     * The feature of an agent that keeps a task's {@code localParameters} at the site: it completes the shared
     * tensors it receives with its own values of them, and uploads only the shared ones.
     */
    public static final String LOCAL_PARAMETERS = "local-parameters";

    /** The features of this version's site agent. */
    public static final List<String> FEATURES = List.of(STARTING_STATE, ENCODING, CLIENT_DP, SECURE_AGGREGATION,
            LOCAL_PARAMETERS);

    public JoinRequest {
        if (trainSamples < 0 || validationSamples < 0 || testSamples < 0) {
            throw new IllegalArgumentException("sample counts must not be negative");
        }
        supports = List.copyOf(supports);
    }

    /** A join of this version's site agent: it declares {@link #FEATURES}. */
    public JoinRequest(long trainSamples, long validationSamples, long testSamples) {
        this(trainSamples, validationSamples, testSamples, FEATURES);
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
        JsonArray features = new JsonArray();
        supports.forEach(features::add);
        o.add("supports", features);
        return o;
    }

    /**
     * Reads a join body; every count is optional (0) but must be a whole number ≥ 0 when given; {@code supports}
     * is optional (none) but must be an array of feature names when given.
     */
    public static JoinRequest of(JsonObject o) {
        StrictJson.onlyKeys(o, "join", "trainSamples", "validationSamples", "testSamples", "supports");
        List<String> supports = new ArrayList<>();
        JsonElement v = o.get("supports");
        if (v != null) {
            if (!v.isJsonArray()) {
                throw new ProtocolException("'supports' must be an array of feature names, found "
                        + StrictJson.shortly(v));
            }
            for (JsonElement e : v.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new ProtocolException("'supports' must hold feature names (text), found "
                            + StrictJson.shortly(e));
                }
                supports.add(e.getAsString());
            }
        }
        return new JoinRequest(StrictJson.count(o, "trainSamples", 0), StrictJson.count(o, "validationSamples", 0),
                StrictJson.count(o, "testSamples", 0), supports);
    }

    /** Whether the site's agent declared {@code feature}. */
    public boolean supports(String feature) {
        return supports.contains(feature);
    }
}
