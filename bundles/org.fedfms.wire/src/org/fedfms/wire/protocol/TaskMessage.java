package org.fedfms.wire.protocol;

import java.util.Map;

import org.fedfms.api.train.TrainerSpec;

import com.google.gson.JsonObject;

/**
 * A task as the coordinator hands it to a site ({@code GET /api/v1/sites/<id>/task}): what to do, for which
 * experiment and round, and how to build the trainer. The site needs nothing of the federation engine to
 * read it.
 *
 * @param taskId the id the site answers to
 * @param kind {@code INITIAL}, {@code FIT} or {@code EVALUATE}
 * @param experiment the experiment's name
 * @param round the round (0 for the initial parameters)
 * @param trainer the id of the site trainer factory
 * @param trainerSpec how the trainer is built and trains
 * @param instructions fit instructions by name
 * @param split the split to evaluate, or {@code null}
 * @param hasParameters whether the task has parameters to download
 * @param startingState the {@link org.fedfms.wire.ParameterDigest} of the experiment's starting state (the base
 *     model every trainer of the experiment starts from, {@code GET .../tasks/T/starting-state}), empty when
 *     its model starts from random initialisation
 * @param encoding how the task's parameters travel ({@link org.fedfms.wire.TransferEncoding} text form), empty
 *     for fp32 both ways; see {@link DeltaTransfer} for deltas
 * @param localParameters the experiment's {@link org.fedfms.api.LocalParameters} patterns (comma-separated): the
 *     tensors the site keeps as its own and never sends; empty when every parameter is shared
 */
public record TaskMessage(String taskId, String kind, String experiment, int round, String trainer,
        TrainerSpec trainerSpec, Map<String, Object> instructions, String split, boolean hasParameters,
        String startingState, String encoding, String localParameters) {

    /**
     * The instruction of a secure-aggregation task ({@code SECAGG_*}) that holds the coordinator's message of
     * the phase (base64 of {@code SecAggCodec} bytes); the site answers at {@code POST .../tasks/T/secagg}.
     */
    public static final String SECAGG_INSTRUCTION = "secagg";

    public TaskMessage {
        instructions = Map.copyOf(instructions);
        startingState = startingState == null ? "" : startingState;
        if (!startingState.isEmpty() && !org.fedfms.wire.ParameterDigest.isDigest(startingState)) {
            throw new ProtocolException("'startingState' must be a SHA-256 in 64 lower-case hex digits");
        }
        encoding = encoding == null ? "" : encoding;
        try {
            org.fedfms.wire.TransferEncoding.parse(encoding);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("'encoding': " + e.getMessage());
        }
        localParameters = org.fedfms.api.LocalParameters.parse(localParameters).toString();
    }

    /** A task that keeps no parameters at the site. */
    public TaskMessage(String taskId, String kind, String experiment, int round, String trainer,
            TrainerSpec trainerSpec, Map<String, Object> instructions, String split, boolean hasParameters,
            String startingState, String encoding) {
        this(taskId, kind, experiment, round, trainer, trainerSpec, instructions, split, hasParameters,
                startingState, encoding, "");
    }

    /** A task whose parameters travel in fp32. */
    public TaskMessage(String taskId, String kind, String experiment, int round, String trainer,
            TrainerSpec trainerSpec, Map<String, Object> instructions, String split, boolean hasParameters,
            String startingState) {
        this(taskId, kind, experiment, round, trainer, trainerSpec, instructions, split, hasParameters,
                startingState, "");
    }

    /** How the task's parameters travel. */
    public org.fedfms.wire.TransferEncoding transferEncoding() {
        return org.fedfms.wire.TransferEncoding.parse(encoding);
    }

    /** A task whose model starts from random initialisation. */
    public TaskMessage(String taskId, String kind, String experiment, int round, String trainer,
            TrainerSpec trainerSpec, Map<String, Object> instructions, String split, boolean hasParameters) {
        this(taskId, kind, experiment, round, trainer, trainerSpec, instructions, split, hasParameters, "", "");
    }

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("taskId", taskId);
        o.addProperty("kind", kind);
        o.addProperty("experiment", experiment);
        o.addProperty("round", round);
        o.addProperty("trainer", trainer);
        JsonObject t = new JsonObject();
        t.addProperty("model", trainerSpec.model());
        t.addProperty("adapter", trainerSpec.adapter());
        t.addProperty("device", trainerSpec.device().toString());
        t.addProperty("localEpochs", trainerSpec.localEpochs());
        t.addProperty("batchSize", trainerSpec.batchSize());
        t.addProperty("learningRate", trainerSpec.learningRate());
        t.addProperty("seed", trainerSpec.seed());
        t.add("options", StrictJson.GSON.toJsonTree(trainerSpec.options()));
        o.add("trainerSpec", t);
        o.add("instructions", StrictJson.GSON.toJsonTree(instructions));
        if (split != null) {
            o.addProperty("split", split);
        }
        o.addProperty("hasParameters", hasParameters);
        if (!startingState.isEmpty()) {
            o.addProperty("startingState", startingState);
        }
        if (!encoding.isEmpty()) {
            o.addProperty("encoding", encoding);
        }
        if (!localParameters.isEmpty()) {
            o.addProperty("localParameters", localParameters);
        }
        return o;
    }

    /** Reads a task. */
    public static TaskMessage of(JsonObject o) {
        JsonObject t = o.get("trainerSpec") != null && o.get("trainerSpec").isJsonObject()
                ? o.getAsJsonObject("trainerSpec") : null;
        if (t == null) {
            throw new ProtocolException("'trainerSpec' must be a JSON object");
        }
        TrainerSpec spec;
        try {
            spec = new TrainerSpec(StrictJson.text(t, "model"), StrictJson.text(t, "adapter"),
                    StrictJson.text(t, "device"), (int) StrictJson.count(t, "localEpochs", 1),
                    (int) StrictJson.count(t, "batchSize", 1), StrictJson.finite(t.get("learningRate"),
                            "learningRate"), t.get("seed").getAsLong(), StrictJson.map(t, "options"));
        } catch (ProtocolException e) {
            throw new ProtocolException("trainerSpec: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ProtocolException("trainerSpec is not valid: " + e.getMessage());
        }
        long round = StrictJson.count(o, "round", 0);
        if (round > Integer.MAX_VALUE) {
            throw new ProtocolException("'round' must be of int range");
        }
        return new TaskMessage(StrictJson.text(o, "taskId"), StrictJson.text(o, "kind"),
                StrictJson.text(o, "experiment"), (int) round, StrictJson.text(o, "trainer"), spec,
                StrictJson.map(o, "instructions"), o.has("split") ? StrictJson.text(o, "split") : null,
                o.has("hasParameters") && o.get("hasParameters").getAsBoolean(),
                o.has("startingState") ? StrictJson.text(o, "startingState") : "",
                o.has("encoding") ? StrictJson.text(o, "encoding") : "",
                o.has("localParameters") ? StrictJson.text(o, "localParameters") : "");
    }
}
