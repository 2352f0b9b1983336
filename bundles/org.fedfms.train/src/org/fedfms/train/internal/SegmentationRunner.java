package org.fedfms.train.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Lock;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.data.Sample;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.LoadMode;
import org.fedfms.model.MaskPrediction;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Ops;
import org.fedfms.train.SegmentationMetrics;
import org.fedfms.train.TrainerOptions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Runs a shared model over one site's samples: local training (batches, loss, optimizer, FedProx term)
 * and scoring (predictions at the original resolution, per-sample metrics). The caller holds the
 * model's lock. Every batch lives in a sub-manager of the model's manager, closed after the batch.
 */
final class SegmentationRunner {

    /** Purposes of the random streams of one round. */
    private static final long SHUFFLE_STREAM = 1;

    private final SharedModel shared;
    private final TrainerOptions options;
    private final TorchRuntime runtime;
    private final Lock gradientLock;
    private final SegmentationLoss loss;

    /**
     * @param gradientLock held around each forward and backward pass: DJL's PyTorch engine allows one
     *     gradient collector at a time in the whole JVM
     */
    SegmentationRunner(SharedModel shared, TrainerOptions options, TorchRuntime runtime, Lock gradientLock) {
        this.shared = shared;
        this.options = options;
        this.runtime = runtime;
        this.gradientLock = gradientLock;
        this.loss = new SegmentationLoss(options);
    }

    private SegmentationModel model() {
        return shared.model();
    }

    /**
     * Loads trainable parameters into the model.
     *
     * @throws IllegalArgumentException listing the differences when they do not match the model's
     */
    void load(ParameterSet trainable, String where) {
        List<String> diffs = shared.initialTrainable().layoutDifferences(trainable);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException(where + ": the parameters do not fit " + shared.key().describe()
                    + " (" + diffs.size() + " differences: " + String.join("; ", diffs.subList(0, Math.min(5,
                            diffs.size()))) + (diffs.size() > 5 ? "; ..." : "") + ")");
        }
        model().load(trainable, LoadMode.SUBSET);
    }

    /** What one round of local training did. */
    record Training(ParameterSet parameters, double meanLoss, double meanProximal, int steps, long samplesSeen) {
    }

    /**
     * Trains the loaded model on {@code samples} for {@code epochs} epochs (or the options' local steps of the site)
     * with a new optimizer, shuffling with a generator seeded by (seed, round, site).
     *
     * @param global the round's starting parameters (the proximal term's anchor when {@code mu > 0})
     * @param correction added to each parameter's gradient at every step (SCAFFOLD's {@code c − c_i}), null
     *     for none
     */
    Training train(String siteId, int round, List<Sample> samples, int epochs, int batchSize, float learningRate,
            long seed, double mu, ParameterSet global, ParameterSet correction, TrainingMonitor monitor)
            throws IOException {
        SegmentationModel model = model();
        int n = samples.size();
        int batchesPerEpoch = (n + batchSize - 1) / batchSize;
        int steps = options.localWork().stepsOf(siteId);
        int total = steps > 0 ? steps : epochs * batchesPerEpoch;
        SplittableRandom random = new SplittableRandom(Seeds.of(seed, round, siteId, SHUFFLE_STREAM));
        List<ModelParameter> trainable = model.trainableParameters();
        int channels = options.channels();
        int low = model.lowResSize();
        double lossSum = 0;
        double proximalSum = 0;
        long seen = 0;
        FrozenEncoder frozen = FrozenEncoder.of(shared, runtime, true);
        try (NDManager roundManager = model.manager().newSubManager()) {
            RoundOptimizer optimizer = new RoundOptimizer(roundManager, learningRate, (float) options.localOptimizer().weightDecay(),
                    options.localOptimizer().optimizer());
            Map<String, NDArray> anchor = mu > 0 ? anchor(roundManager, global, trainable) : Map.of();
            Map<String, NDArray> corrections = correction == null ? Map.of() : anchor(roundManager, correction, trainable);
            int[] order = new int[n];
            int position = n;
            for (int step = 0; step < total; step++) {
                if (monitor.isCancelled()) {
                    throw new CancellationException("site '" + siteId + "': training cancelled in round " + round
                            + " after " + step + " of " + total + " steps");
                }
                if (position >= n) {
                    shuffle(order, random);
                    position = 0;
                }
                int end = Math.min(n, position + batchSize);
                List<PreparedSample> batch = new ArrayList<>(end - position);
                for (int i = position; i < end; i++) {
                    batch.add(PreparedSample.of(samples.get(order[i]), model, siteId));
                }
                position = end;
                float stepLoss;
                try (NDManager batchManager = model.manager().newSubManager()) {
                    NDArray embeddings = frozen == null ? null : frozen.embed(batchManager, batch);
                    NDArray images = frozen == null ? images(batchManager, batch) : null;
                    NDArray targets = targets(batchManager, batch, low, channels);
                    Prompts prompts = PromptSampler.prompts(batchManager, options.prompts().prompt(), batch, random,
                            options.prompts().promptJitter());
                    float stepProximal = 0;
                    gradientLock.lock();
                    try (GradientCollector collector = runtime.newGradientCollector()) {
                        NDArray taskLoss = loss.perSample(logits(images, embeddings, prompts), targets).mean();
                        NDArray objective = taskLoss;
                        if (mu > 0) {
                            NDArray proximal = Ops.scale(proximal(batchManager, trainable, anchor), mu / 2);
                            stepProximal = proximal.getFloat();
                            objective = taskLoss.add(proximal);
                        }
                        stepLoss = taskLoss.getFloat();
                        collector.backward(objective);
                    } finally {
                        gradientLock.unlock();
                    }
                    optimizer.step(trainable, corrections);
                    lossSum += (double) stepLoss * batch.size();
                    proximalSum += (double) stepProximal * batch.size();
                    seen += batch.size();
                }
                monitor.batchDone(siteId, step + 1, total, seen);
                monitor.progress(siteId, (step + 1) / (double) total, String.format(java.util.Locale.ROOT,
                        "round %d: step %d/%d, loss %.4f", round, step + 1, total, stepLoss));
            }
        }
        ParameterSet trained = model.toParameterSet(ParameterScope.TRAINABLE);
        return new Training(trained, seen == 0 ? Double.NaN : lossSum / seen, seen == 0 ? 0 : proximalSum / seen,
                total, seen);
    }

    /** The round's starting values of the trainable parameters, as constants. */
    private static Map<String, NDArray> anchor(NDManager manager, ParameterSet global, List<ModelParameter> trainable) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (ModelParameter p : trainable) {
            Tensor t = global.get(p.name());
            m.put(p.name(), manager.create(t.values(), new Shape(p.shape())));
        }
        return m;
    }

    /** Σ ||w − w_global||² over the trainable parameters, in {@code manager}. */
    private static NDArray proximal(NDManager manager, List<ModelParameter> trainable, Map<String, NDArray> anchor) {
        NDArray sum = null;
        for (ModelParameter p : trainable) {
            NDArray diff = p.array().sub(anchor.get(p.name()));
            diff.attach(manager);
            NDArray sq = diff.square().sum();
            sum = sum == null ? sq : sum.add(sq);
        }
        return sum == null ? manager.zeros(new Shape()) : sum;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
    }

    private NDArray images(NDManager manager, List<PreparedSample> batch) {
        int s = model().inputSize();
        int plane = 3 * s * s;
        float[] x = new float[batch.size() * plane];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).input(), 0, x, i * plane, plane);
        }
        return manager.create(x, new Shape(batch.size(), 3, s, s));
    }

    private static NDArray targets(NDManager manager, List<PreparedSample> batch, int low, int channels) {
        int plane = channels * low * low;
        float[] y = new float[batch.size() * plane];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).lowResTargets(low, channels), 0, y, i * plane, plane);
        }
        return manager.create(y, new Shape(batch.size(), channels, low, low));
    }

    /**
     * Mask logits {@code [B, K, L, L]}: token 0 for one channel, multimask tokens 1..K for several; from the
     * image embeddings when they are given, else from the images.
     */
    private NDArray logits(NDArray images, NDArray embeddings, Prompts prompts) {
        int channels = options.channels();
        MaskPrediction p = embeddings != null
                ? ((org.fedfms.model.ImageEmbeddingModel) model()).decode(embeddings, prompts, channels > 1)
                : model().predict(images, prompts, channels > 1);
        return channels > 1 ? p.masks().get(new NDIndex(":, 0:" + channels)) : p.masks();
    }

    /** Receives each scored sample. */
    @FunctionalInterface
    interface ScoreSink {
        /**
         * @param sample the sample as prepared
         * @param logits per channel, the logits at the sample's original resolution
         * @param metrics the sample's metrics
         */
        void accept(PreparedSample sample, float[][] logits, Metrics metrics) throws IOException;
    }

    /**
     * Predicts {@code samples} with the loaded model, without gradients, and scores each at its original
     * resolution: dice, iou, hd95 (means over channels; per channel too when there are several) and loss.
     */
    void score(String siteId, List<Sample> samples, int batchSize, TrainingMonitor monitor, ScoreSink sink)
            throws IOException {
        SegmentationModel model = model();
        int channels = options.channels();
        int low = model.lowResSize();
        boolean reference = options.metric().equals("reference");
        FrozenEncoder frozen = FrozenEncoder.of(shared, runtime, false);
        try (TorchRuntime.GradientScope noGradients = runtime.noGradients()) {
            for (int start = 0; start < samples.size(); start += batchSize) {
                if (monitor.isCancelled()) {
                    throw new CancellationException("site '" + siteId + "': evaluation cancelled after " + start + " of "
                            + samples.size() + " samples");
                }
                int end = Math.min(samples.size(), start + batchSize);
                List<PreparedSample> batch = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    batch.add(PreparedSample.of(samples.get(i), model, siteId));
                }
                float[] lowRes;
                float[] losses;
                try (NDManager batchManager = model.manager().newSubManager()) {
                    NDArray embeddings = frozen == null ? null : frozen.embed(batchManager, batch);
                    NDArray images = frozen == null ? images(batchManager, batch) : null;
                    NDArray targets = targets(batchManager, batch, low, channels);
                    Prompts prompts = PromptSampler.prompts(batchManager, options.prompts().prompt(), batch, null, 0);
                    NDArray logits = logits(images, embeddings, prompts);
                    lowRes = logits.toFloatArray();
                    losses = loss.perSample(logits, targets).toFloatArray();
                }
                for (int i = 0; i < batch.size(); i++) {
                    PreparedSample s = batch.get(i);
                    int h = s.original().height();
                    int w = s.original().width();
                    float[][] perChannel = new float[channels][];
                    Map<String, Double> values = new LinkedHashMap<>();
                    double dice = 0;
                    double iou = 0;
                    double hd95 = 0;
                    int absent = 0;
                    for (int k = 0; k < channels; k++) {
                        float[] one = new float[low * low];
                        System.arraycopy(lowRes, (i * channels + k) * low * low, one, 0, one.length);
                        perChannel[k] = s.toOriginal(one, low);
                        SegmentationMetrics.Scores sc = SegmentationMetrics.of(perChannel[k], s.truth(k, channels), h, w,
                                reference);
                        if (sc.absent()) {
                            absent++;
                        } else {
                            dice += sc.dice();
                            iou += sc.iou();
                            hd95 += sc.hd95();
                        }
                        if (channels > 1) {
                            values.put("dice_" + (k + 1), sc.dice());
                        }
                    }
                    // labels absent from both prediction and truth are left out of the sample's mean, and counted
                    int scored = channels - absent;
                    Map<String, Double> all = new LinkedHashMap<>();
                    all.put("dice", scored == 0 ? Double.NaN : dice / scored);
                    all.put("iou", scored == 0 ? Double.NaN : iou / scored);
                    all.put("hd95", scored == 0 ? Double.NaN : hd95 / scored);
                    all.put("loss", (double) losses[i]);
                    all.put(Metrics.EMPTY_COUNT, (double) absent);
                    all.putAll(values);
                    sink.accept(s, perChannel, new Metrics(all));
                }
                monitor.progress(siteId, end / (double) samples.size(), "evaluated " + end + "/" + samples.size());
            }
        }
    }
    /** Label per pixel: the channel with the largest positive logit, 0 where none is positive. */
    static byte[] labels(float[][] logits, int channels) {
        int n = logits[0].length;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            float best = 0;
            for (int k = 0; k < channels; k++) {
                if (logits[k][i] > best) {
                    best = logits[k][i];
                    out[i] = (byte) (k + 1);
                }
            }
        }
        return out;
    }

}
