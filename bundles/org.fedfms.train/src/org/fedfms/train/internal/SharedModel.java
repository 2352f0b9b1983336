package org.fedfms.train.internal;

import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.fedfms.api.ParameterSet;
import org.fedfms.model.SegmentationModel;

import ai.djl.Device;

/**
 * One initialised model shared by every trainer whose spec builds the same model (variant, adapter and
 * its settings, seed, base weights, device): their frozen parameters are equal by construction, and
 * each fit or evaluation loads its own trainable parameters under {@link #lock()} before it runs. So a
 * simulated federation of N sites holds one model instead of N.
 */
final class SharedModel implements AutoCloseable {

    /**
     * What makes two models equal before training.
     *
     * @param model variant id
     * @param adapter adapter type id, empty for none
     * @param adapterSettings the adapter's settings as text
     * @param seed initialisation seed
     * @param weights base weights file, empty for none
     * @param device the device as DJL names it
     * @param embeddingCache bounds and place of the model's cache of image embeddings
     * @param weightsDigest SHA-256 of the weights file, empty for none
     */
    record Key(String model, String adapter, Map<String, String> adapterSettings, long seed, String weights,
            String device, EmbeddingCache.Settings embeddingCache, String weightsDigest) {

        Key {
            adapterSettings = Map.copyOf(adapterSettings);
        }

        String describe() {
            return "model " + model + (adapter.isEmpty() ? "" : " with adapter " + adapter
                    + (adapterSettings.isEmpty() ? "" : " " + new java.util.TreeMap<>(adapterSettings)))
                    + ", seed " + seed + (weights.isEmpty() ? "" : ", weights " + weights) + ", device " + device;
        }
    }

    private final Key key;
    private final SegmentationModel model;
    private final Device device;
    private final ParameterSet initialTrainable;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final EmbeddingCache embeddings;
    private String frozenEncoderDigest;
    private int users;
    private int warmModels;
    private double warmModelsMb;

    SharedModel(Key key, SegmentationModel model, Device device) {
        this.key = key;
        this.model = model;
        this.device = device;
        this.initialTrainable = model.toParameterSet(org.fedfms.model.ParameterScope.TRAINABLE);
        this.embeddings = key.embeddingCache().enabled() ? new EmbeddingCache(key.embeddingCache()) : null;
    }

    /** The cache of image embeddings, or {@code null} when it is off; use it only while holding {@link #lock()}. */
    EmbeddingCache embeddings() {
        return embeddings;
    }

    /**
     * Digest of the image encoder's frozen tensors, computed on first use: they never change after the model
     * is built (only trainable parameters are loaded). Call it only while holding {@link #lock()}.
     */
    String frozenEncoderDigest() {
        if (frozenEncoderDigest == null) {
            frozenEncoderDigest = FrozenEncoder.frozenDigest(model,
                    ((org.fedfms.model.ImageEmbeddingModel) model).encoderPart());
        }
        return frozenEncoderDigest;
    }

    Key key() {
        return key;
    }

    /** The model; use it only while holding {@link #lock()}. */
    SegmentationModel model() {
        return model;
    }

    Device device() {
        return device;
    }

    /** The trainable parameters right after initialisation (and base weights). */
    ParameterSet initialTrainable() {
        return initialTrainable;
    }

    /** Held while a trainer loads parameters into the model and uses it. */
    ReentrantLock lock() {
        return lock;
    }

    /** Counts one more user; guarded by the pool. */
    void retain() {
        users++;
    }

    /** Counts one user less; returns whether none is left. Guarded by the pool. */
    boolean release() {
        return --users <= 0;
    }

    /** Bounds of the warm pool this model goes to when its last user is done (the last user's); pool-guarded. */
    void warmBounds(int models, double megabytes) {
        this.warmModels = models;
        this.warmModelsMb = megabytes;
    }

    int warmModels() {
        return warmModels;
    }

    double warmModelsMb() {
        return warmModelsMb;
    }

    /** Memory held: every tensor, and the embeddings cached in memory. */
    long bytes() {
        long b = model.tensors().values().stream().mapToLong(org.fedfms.model.nn.ModelParameter::size).sum() * 4;
        return b + (embeddings == null ? 0 : embeddings.stats().memoryBytes());
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (embeddings != null) {
                embeddings.close();
            }
            model.close();
        } finally {
            lock.unlock();
        }
    }
}
