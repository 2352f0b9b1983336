package org.fedfms.train.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.model.ParameterScope;
import org.fedfms.train.TrainerOptions;

/**
 * Trains and evaluates one site's data on a (shared) DJL model. Every call starts from the parameters it
 * is given and a new optimizer, and draws its randomness from (seed, round, site): a round repeated gives
 * the same update, bit for bit on the same device.
 */
public final class DjlSiteTrainer implements SiteTrainer {

    private final DjlTrainerFactory factory;
    private final TrainerSpec spec;
    private final TrainerOptions options;
    private final SiteData site;
    private final SharedModel shared;
    private final SegmentationRunner runner;
    private final AtomicBoolean closed = new AtomicBoolean();

    DjlSiteTrainer(DjlTrainerFactory factory, TrainerSpec spec, TrainerOptions options, SiteData site,
            SharedModel shared, SegmentationRunner runner) {
        this.factory = factory;
        this.spec = spec;
        this.options = options;
        this.site = site;
        this.shared = shared;
        this.runner = runner;
    }

    @Override
    public String siteId() {
        return site.siteId();
    }

    @Override
    public ParameterSet initialParameters() {
        return shared.initialTrainable();
    }

    @Override
    public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        checkOpen();
        List<Sample> train = site.train();
        String where = "site '" + site.siteId() + "', round " + round;
        if (train.isEmpty()) {
            return new FitResult(site.siteId(), global, 0, Metrics.empty());
        }
        double mu = instructions.getDouble(FitInstructions.PROXIMAL_MU, 0);
        if (!(mu >= 0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException(where + ": the proximal term mu must be a finite number >= 0, got " + mu);
        }
        ParameterSet correction = ControlVariates.present(global) ? ControlVariates.variates(global) : null;
        ParameterSet anchor = PersonalModelSite.anchor(global);
        ParameterSet start = PersonalModelSite.withoutAnchor(correction == null ? global : ControlVariates.model(global));
        if (!anchor.isEmpty() && !start.layoutDifferences(anchor).isEmpty()) {
            throw new IllegalArgumentException(where + ": the proximal anchor does not fit the model's trainable "
                    + "parameters: " + start.layoutDifferences(anchor));
        }
        if (correction != null && !start.layoutDifferences(correction).isEmpty()) {
            throw new IllegalArgumentException(where + ": the SCAFFOLD gradient correction does not fit the model's "
                    + "trainable parameters: " + start.layoutDifferences(correction));
        }
        long t0 = System.nanoTime();
        SegmentationRunner.Training t;
        shared.lock().lock();
        try {
            runner.load(start, where);
            t = runner.train(site.siteId(), round, train, spec.localEpochs(), spec.batchSize(),
                    (float) spec.learningRate(), spec.seed(), mu, anchor.isEmpty() ? start : anchor, correction, monitor);
        } finally {
            shared.lock().unlock();
        }
        String bad = t.parameters().firstNonFinite();
        if (bad != null || !Double.isFinite(t.meanLoss())) {
            throw new IllegalStateException(where + ": training diverged after " + t.steps() + " steps (mean loss "
                    + t.meanLoss() + (bad == null ? "" : ", " + bad) + "); lower the learning rate (now "
                    + spec.learningRate() + ")");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Metrics metrics = Metrics.of("loss", t.meanLoss(), "steps", t.steps(), "samples_per_second",
                t.samplesSeen() / Math.max(seconds, 1e-9));
        if (mu > 0) {
            metrics = metrics.with("proximal", t.meanProximal());
        }
        ParameterSet update = correction == null ? t.parameters() : ControlVariates.with(t.parameters(),
                ControlVariates.meanGradient(start, t.parameters(), t.steps(), spec.learningRate()));
        return new FitResult(site.siteId(), update, train.size(), metrics);
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        checkOpen();
        List<Sample> samples = site.split(split);
        if (samples.isEmpty()) {
            return new EvaluateResult(site.siteId(), 0, Metrics.empty());
        }
        List<Metrics> scores = new ArrayList<>(samples.size());
        CaseMetrics cases = CaseMetrics.of(samples);
        int channels = options.channels();
        shared.lock().lock();
        try {
            runner.load(global, "site '" + site.siteId() + "', round " + round);
            runner.score(site.siteId(), samples, spec.batchSize(), monitor, (s, logits, m) -> {
                scores.add(m);
                if (cases != null) {
                    cases.add(s.id(), SegmentationRunner.labels(logits, channels));
                }
            });
        } finally {
            shared.lock().unlock();
        }
        Metrics perSample = Metrics.weightedMean(scores, m -> m, m -> 1.0);
        return new EvaluateResult(site.siteId(), samples.size(), cases == null ? perSample : cases.metrics(perSample));
    }

    /** The site's data. */
    public SiteData site() {
        return site;
    }

    /** The options this trainer runs with. */
    public TrainerOptions options() {
        return options;
    }

    /**
     * Every tensor of the model as it is now (parameters and buffers): for checks that frozen parameters
     * never change.
     */
    public ParameterSet modelState() {
        checkOpen();
        shared.lock().lock();
        try {
            return shared.model().toParameterSet(ParameterScope.STATE);
        } finally {
            shared.lock().unlock();
        }
    }

    /**
     * The arrays the model's memory holds now, sub-managers included: its tensors, plus anything a call
     * left behind (for checks that memory stays flat).
     */
    public int liveArrays() {
        checkOpen();
        shared.lock().lock();
        try {
            return shared.model().manager().getManagedArrays().size();
        } finally {
            shared.lock().unlock();
        }
    }

    /**
     * What the model's cache of image embeddings holds and did ({@code null} when it is off): hits, misses,
     * entries in memory and spilled, and its spill directory.
     */
    public EmbeddingCache.Stats embeddingCacheStats() {
        checkOpen();
        shared.lock().lock();
        try {
            EmbeddingCache c = shared.embeddings();
            return c == null ? null : c.stats();
        } finally {
            shared.lock().unlock();
        }
    }

    /** The number of tensors (parameters and buffers) of the model. */
    public int tensorCount() {
        return shared.model().tensors().size();
    }

    /** Names of the parameters that train. */
    public List<String> trainableNames() {
        return shared.initialTrainable().names();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the trainer of site '" + site.siteId() + "' is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            factory.release(shared);
        }
    }
}
