package org.fedfms.train.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.ImageEmbeddingModel;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.ModelParameter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The image encoder of a model run apart from its decoder, where its output needs no gradient: each sample
 * is encoded alone (so an embedding does not depend on the batch it comes in), without autograd, and kept
 * in an {@link EmbeddingCache} when there is one. An embedding is keyed by the digest of the encoder's
 * parameters as they are now, the preprocessing and the sample's id and prepared input (its content after
 * preprocessing), so any change of weights, preprocessing or content misses.
 *
 * <p>Where this runs: training whenever no encoder tensor trains (adapter {@code decoder}, and any adapter
 * that leaves the encoder frozen), and evaluation always. Training that changes the encoder (full, msa,
 * lora) runs the whole model under the gradient collector instead. Only deterministic inputs reach it:
 * the prepared sample is not augmented (prompt jitter changes prompts, which the decoder takes, not the
 * encoder's input); an augmentation of the image must bypass it.
 */
final class FrozenEncoder {

    /** The steps that make the encoder's input, as part of every key. */
    static final String PREPROCESSING = "PreparedSample v1: longest side resized bilinear by ImageResize, gray "
            + "repeated to RGB, the model's normalisation, zero padding at the bottom and right";

    private final SegmentationModel model;
    private final ImageEmbeddingModel split;
    private final TorchRuntime runtime;
    private final EmbeddingCache cache;
    private final String encoderDigest;

    private FrozenEncoder(SegmentationModel model, TorchRuntime runtime, EmbeddingCache cache, String encoderDigest) {
        this.model = model;
        this.split = (ImageEmbeddingModel) model;
        this.runtime = runtime;
        this.cache = cache;
        this.encoderDigest = encoderDigest;
    }

    /**
     * The encoder of {@code shared}'s model as its parameters are now, or {@code null} when the model does
     * not separate encoder and decoder, or when {@code training} and an encoder tensor trains.
     */
    static FrozenEncoder of(SharedModel shared, TorchRuntime runtime, boolean training) {
        SegmentationModel model = shared.model();
        if (!(model instanceof ImageEmbeddingModel s)) {
            return null;
        }
        String prefix = s.encoderPart() + ".";
        boolean encoderTrains = model.trainableParameters().stream().anyMatch(p -> p.name().startsWith(prefix));
        if (training && encoderTrains) {
            return null;
        }
        EmbeddingCache cache = shared.embeddings();
        if (cache == null) {
            return new FrozenEncoder(model, runtime, null, null);
        }
        MessageDigest d = sha256();
        d.update(shared.frozenEncoderDigest().getBytes(StandardCharsets.UTF_8));
        if (encoderTrains) {
            for (ModelParameter p : model.trainableParameters()) {
                if (p.name().startsWith(prefix)) {
                    update(d, p.name(), p.array().toFloatArray());
                }
            }
        }
        return new FrozenEncoder(model, runtime, cache, HexFormat.of().formatHex(d.digest()));
    }

    /** Digest of the tensors of {@code model}'s part {@code part} that do not train: names, shapes and values. */
    static String frozenDigest(SegmentationModel model, String part) {
        MessageDigest d = sha256();
        String prefix = part + ".";
        for (Map.Entry<String, ModelParameter> e : model.tensors().entrySet()) {
            ModelParameter p = e.getValue();
            if (e.getKey().startsWith(prefix) && !p.isTrainable()) {
                update(d, e.getKey() + java.util.Arrays.toString(p.shape()), p.array().toFloatArray());
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** The image embeddings of {@code batch}, {@code [B, ...]}, in {@code manager}, with no gradient. */
    NDArray embed(NDManager manager, List<PreparedSample> batch) {
        int s = model.inputSize();
        float[][] each = new float[batch.size()][];
        long[] shape = cache == null ? null : cache.shape();
        for (int i = 0; i < batch.size(); i++) {
            PreparedSample sample = batch.get(i);
            String key = cache == null ? null : key(sample);
            float[] e = key == null ? null : cache.get(key);
            if (e == null) {
                try (NDManager one = manager.newSubManager();
                        TorchRuntime.GradientScope noGradients = runtime.noGradients()) {
                    NDArray embedding = split.encodeImages(one.create(sample.input(), new Shape(1, 3, s, s)));
                    shape = embedding.getShape().getShape();
                    e = embedding.toFloatArray();
                }
                if (key != null) {
                    cache.put(key, e, shape);
                }
            }
            each[i] = e;
        }
        int per = each[0].length;
        float[] all = new float[batch.size() * per];
        for (int i = 0; i < each.length; i++) {
            System.arraycopy(each[i], 0, all, i * per, per);
        }
        long[] batched = shape.clone();
        batched[0] = batch.size();
        return manager.create(all, new Shape(batched));
    }

    /** The cache key of one sample under this encoder. */
    String key(PreparedSample sample) {
        MessageDigest d = sha256();
        d.update((encoderDigest + "\n" + model.variantId() + "@" + sample.size() + "\n" + PREPROCESSING + "\n"
                + sample.id() + "\n").getBytes(StandardCharsets.UTF_8));
        update(d, "input", sample.input());
        return HexFormat.of().formatHex(d.digest());
    }

    private static void update(MessageDigest d, String name, float[] values) {
        d.update(name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        d.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
