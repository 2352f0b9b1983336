package org.fedfms.wire.protocol;

import com.google.gson.JsonObject;

/**
 * A site's progress inside a task ({@code POST .../tasks/<id>/progress}): how many of the task's batches are done
 * and over how many samples. Numbers only, bounded when read; a site agent sends at most one a second and the
 * coordinator takes at most one a second per site ({@link #MIN_INTERVAL_MILLIS}).
 *
 * @param batch batches done, from 0 to {@code batches}
 * @param batches batches of the task, from 1 to {@link #MAX_BATCHES}
 * @param samples samples trained on so far, at most {@link #MAX_SAMPLES}
 */
public record ProgressReport(int batch, int batches, long samples) {

    /** The most batches a report may count. */
    public static final int MAX_BATCHES = 1_000_000_000;
    /** The most samples a report may count. */
    public static final long MAX_SAMPLES = 1_000_000_000_000L;
    /** The least time between two reports of one site. */
    public static final long MIN_INTERVAL_MILLIS = 1000;

    public ProgressReport {
        if (batches < 1 || batches > MAX_BATCHES || batch < 0 || batch > batches || samples < 0
                || samples > MAX_SAMPLES) {
            throw new ProtocolException("progress " + batch + "/" + batches + " batches, " + samples + " samples is "
                    + "out of bounds (batches 1 to " + MAX_BATCHES + ", batch 0 to batches, samples 0 to " + MAX_SAMPLES
                    + ")", true);
        }
    }

    /** As JSON. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("batch", batch);
        o.addProperty("batches", batches);
        o.addProperty("samples", samples);
        return o;
    }

    /** Reads a progress body: three whole numbers within bounds, nothing else. */
    public static ProgressReport of(JsonObject o) {
        StrictJson.onlyKeys(o, "progress", "batch", "batches", "samples");
        long batch = StrictJson.count(o, "batch", -1);
        long batches = StrictJson.count(o, "batches", -1);
        long samples = StrictJson.count(o, "samples", 0);
        if (batch < 0 || batches < 1 || batches > MAX_BATCHES || batch > batches) {
            throw new ProtocolException("'batch' and 'batches' must be given, with 1 ≤ batches ≤ " + MAX_BATCHES
                    + " and 0 ≤ batch ≤ batches", true);
        }
        return new ProgressReport((int) batch, (int) batches, samples);
    }
}
