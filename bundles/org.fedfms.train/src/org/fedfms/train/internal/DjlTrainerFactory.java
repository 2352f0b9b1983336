package org.fedfms.train.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.AdapterType;
import org.fedfms.model.LoadMode;
import org.fedfms.model.ModelParts;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.WarmModels;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.train.TrainerOptions;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import ai.djl.Device;

/**
 * The {@code djl} site trainer: SAM-family models from the {@link ModelVariant} and {@link AdapterType}
 * services present now, trained and evaluated with DJL's PyTorch engine. Also exports per-sample metrics,
 * prediction overlays and the predictions themselves of the models it builds.
 *
 * <p>Trainers whose specs build the same model share one instance of it (see {@link SharedModel}); all
 * gradient computations of this factory take turns, as DJL's PyTorch engine allows one gradient
 * collector per JVM.
 */
@Component(service = {SiteTrainerFactory.class, PredictionExporter.class},
        property = SiteTrainerFactory.ID_PROPERTY + "=" + DjlTrainerFactory.ID)
public final class DjlTrainerFactory implements SiteTrainerFactory, PredictionExporter {

    /** The factory's id. */
    public static final String ID = "djl";

    private static final Set<String> NO_ADAPTER = Set.of("", "none");

    private final TorchRuntime runtime;
    private final Map<SharedModel.Key, SharedModel> models = new HashMap<>();
    private final ReentrantLock gradientLock = new ReentrantLock(true);
    private final WarmModels<SharedModel.Key, SharedModel> warm = new WarmModels<>();
    private final ModelParts<SharedModel.Key> parts = new ModelParts<>(warm, SharedModel.Key::model,
            SharedModel.Key::adapter);
    private final AtomicLong modelsBuilt = new AtomicLong();

    @Activate
    public DjlTrainerFactory(@Reference TorchRuntime runtime) {
        this.runtime = runtime;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addVariant(ModelVariant variant, Map<String, Object> properties) {
        parts.addVariant(variant, properties);
    }

    public void removeVariant(ModelVariant variant) {
        parts.removeVariant(variant);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addAdapter(AdapterType adapter, Map<String, Object> properties) {
        parts.addAdapter(adapter, properties);
    }

    public void removeAdapter(AdapterType adapter) {
        parts.removeAdapter(adapter);
    }

    @Deactivate
    void deactivate() {
        synchronized (models) {
            models.values().forEach(SharedModel::close);
            models.clear();
            warm.clear();
        }
    }

    /** Models built so far (a model taken warm from the pool is not built again). */
    public long modelsBuilt() {
        return modelsBuilt.get();
    }

    /** Descriptions of the models kept warm now, least recently used first. */
    public List<String> warmModels() {
        return warm.keys().stream().map(SharedModel.Key::describe).toList();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "trains SAM-family models with their adapter types on DJL's PyTorch engine (CPU or CUDA GPU)";
    }

    @Override
    public SettingsSchema<?> options() {
        return TrainerOptions.SCHEMA;
    }

    /** The model variant's own learning rate ({@link ModelVariant#learningRate()}), if the variant is present. */
    @Override
    public java.util.OptionalDouble learningRate(String model) {
        ModelVariant v = model == null ? null : parts.variants().get(model);
        return v == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(v.learningRate());
    }

    /** The model variants present now, by id. */
    public Set<String> variantIds() {
        return new TreeSet<>(parts.variants().ids());
    }

    /** The adapter types present now, by id. */
    public Set<String> adapterIds() {
        return new TreeSet<>(parts.adapters().ids());
    }

    /** Names a model variant or adapter type of {@code spec} that is not present, with the ids present. */
    @Override
    public List<String> problems(TrainerSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!parts.variants().contains(spec.model())) {
            problems.add("model '" + spec.model() + "' is not present (present: " + parts.variants().ids() + ")");
        }
        String adapter = spec.adapter() == null ? "" : spec.adapter();
        if (!NO_ADAPTER.contains(adapter) && !parts.adapters().contains(adapter)) {
            problems.add("adapter '" + adapter + "' is not present (present: " + parts.adapters().ids() + ", or none)");
        }
        return problems;
    }

    /** Builds (or borrows) the model to name its trainable tensors; empty if it cannot be built now. */
    @Override
    public java.util.Optional<List<String>> trainableParameterNames(TrainerSpec spec) {
        try {
            SharedModel shared = acquire(spec, checkedOptions(spec));
            try {
                return java.util.Optional.of(shared.initialTrainable().names());
            } finally {
                release(shared);
            }
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public SiteTrainer create(TrainerSpec spec, SiteData site) throws IOException {
        TrainerOptions options = checkedOptions(spec);
        SharedModel shared = acquire(spec, options);
        return new DjlSiteTrainer(this, spec, options, site, shared,
                new SegmentationRunner(shared, options, runtime, gradientLock));
    }

    private static TrainerOptions checkedOptions(TrainerSpec spec) {
        TrainerOptions options = TrainerOptions.of(spec.options());
        if (!options.prompts().prompt().equals("none") && options.classes() > 2) {
            throw new IllegalArgumentException("prompt " + options.prompts().prompt() + " needs binary masks (classes=2); with "
                    + options.classes() + " classes use prompt=none");
        }
        return options;
    }

    /** The shared model for a spec, built on first use. */
    private SharedModel acquire(TrainerSpec spec, TrainerOptions options) throws IOException {
        String adapter = spec.adapter() == null ? "" : spec.adapter().trim();
        Map<String, String> adapterSettings = new TreeMap<>();
        TrainerOptions.adapterSettings(spec.options()).forEach((k, v) -> adapterSettings.put(k, String.valueOf(v)));
        Device device;
        try {
            device = runtime.device(spec.device());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device '" + spec.device() + "' cannot be used: " + e.getMessage(), e);
        }
        String weightsDigest = "";
        if (!options.weights().isEmpty()) {
            Path file = Path.of(options.weights());
            if (!Files.isRegularFile(file)) {
                throw new IOException("weights file " + file.toAbsolutePath() + " does not exist");
            }
            weightsDigest = warm.weightsDigest(file);
        }
        SharedModel.Key key = new SharedModel.Key(spec.model(), NO_ADAPTER.contains(adapter) ? "" : adapter,
                adapterSettings, spec.seed(), options.weights(), device.toString(), new EmbeddingCache.Settings(
                        options.memory().embeddingCacheMb(), options.memory().embeddingSpillMb(), options.memory().embeddingCacheDir()),
                weightsDigest);
        synchronized (models) {
            SharedModel shared = models.get(key);
            if (shared == null) {
                // a model of the same weights file with other contents is stale
                warm.dropIf(k -> !k.weights().isEmpty() && k.weights().equals(key.weights())
                        && !k.weightsDigest().equals(key.weightsDigest()));
                shared = warm.take(key);
                if (shared == null) {
                    shared = new SharedModel(key, build(key, device), device);
                    modelsBuilt.incrementAndGet();
                }
                models.put(key, shared);
            }
            shared.warmBounds(options.memory().warmModels(), options.memory().warmModelsMb());
            shared.retain();
            return shared;
        }
    }

    /** Called by a trainer that closes: when its last user is done, the model is kept warm or closed. */
    void release(SharedModel shared) {
        synchronized (models) {
            if (shared.release() && models.get(shared.key()) == shared) {
                models.remove(shared.key());
                if (shared.warmModels() > 0) {
                    warm.offer(shared.key(), shared, shared.bytes(), shared.warmModels(), shared.warmModelsMb());
                } else {
                    shared.close();
                }
            }
        }
    }

    private SegmentationModel build(SharedModel.Key key, Device device) throws IOException {
        ModelVariant variant = parts.variants().get(key.model());
        if (variant == null) {
            throw new IllegalArgumentException("model variant '" + key.model() + "' is not present (present: "
                    + variantIds() + "); start the bundle that provides it (org.fedfms.model.sam for sam-*)");
        }
        AdapterType adapter = null;
        if (!key.adapter().isEmpty()) {
            adapter = parts.adapters().get(key.adapter());
            if (adapter == null) {
                throw new IllegalArgumentException("adapter type '" + key.adapter() + "' is not present (present: "
                        + adapterIds() + ", or none); start the bundle that provides it (org.fedfms.adapter."
                        + key.adapter() + ")");
            }
        }
        SegmentationModel model = variant.create();
        try {
            if (adapter != null) {
                adapter.apply(model, key.adapterSettings());
            }
            if (model.trainableParameterCount() == 0) {
                throw new IllegalArgumentException(key.describe() + " has no trainable parameters");
            }
            model.initialize(runtime.newManager(device), key.seed());
            if (!key.weights().isEmpty()) {
                Path file = Path.of(key.weights());
                if (!Files.isRegularFile(file)) {
                    throw new IOException("weights file " + file.toAbsolutePath() + " does not exist");
                }
                model.load(ParameterFiles.read(file), LoadMode.BASE);
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- prediction export

    @Override
    public List<SampleMetrics> evaluateSamples(TrainerSpec spec, SiteData site, DataSplit split,
            List<String> sampleIds, ParameterSet trainable, TrainingMonitor monitor) throws Exception {
        List<SampleMetrics> out = new ArrayList<>();
        inspect(spec, site, split, sampleIds, trainable, monitor,
                (s, logits, channels, metrics) -> out.add(new SampleMetrics(site.siteId(), s.id(), metrics, null)));
        return out;
    }

    @Override
    public List<SampleMetrics> export(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, Path directory, TrainingMonitor monitor) throws Exception {
        Files.createDirectories(directory);
        List<SampleMetrics> out = new ArrayList<>();
        inspect(spec, site, split, sampleIds, trainable, monitor, (s, logits, channels, metrics) -> {
            Path file = directory.resolve(fileName(site.siteId(), s.id()));
            OverlayImage.write(file, s.original(), SegmentationRunner.labels(logits, channels));
            out.add(new SampleMetrics(site.siteId(), s.id(), metrics, file));
        });
        return out;
    }

    @Override
    public List<SamplePrediction> predict(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, TrainingMonitor monitor) throws Exception {
        List<SamplePrediction> out = new ArrayList<>();
        inspect(spec, site, split, sampleIds, trainable, monitor, (s, logits, channels, metrics) -> out.add(
                new SamplePrediction(new SampleMetrics(site.siteId(), s.id(), metrics, null), s.original(),
                        SegmentationRunner.labels(logits, channels), probabilities(logits, channels))));
        return out;
    }

    @Override
    public void drawOverlay(SamplePrediction prediction, String caption, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        OverlayImage.write(file, prediction.image(), prediction.predicted(), caption);
    }

    /** Receives each inspected sample. */
    @FunctionalInterface
    private interface InspectSink {
        void accept(PreparedSample sample, float[][] logits, int channels, Metrics metrics) throws IOException;
    }

    private void inspect(TrainerSpec spec, SiteData site, DataSplit split, List<String> sampleIds,
            ParameterSet trainable, TrainingMonitor monitor, InspectSink sink) throws Exception {
        List<Sample> chosen = choose(site, split, sampleIds);
        TrainerOptions options = checkedOptions(spec);
        int channels = options.channels();
        SharedModel shared = acquire(spec, options);
        try {
            SegmentationRunner runner = new SegmentationRunner(shared, options, runtime, gradientLock);
            shared.lock().lock();
            try {
                runner.load(trainable, "site '" + site.siteId() + "'");
                runner.score(site.siteId(), chosen, spec.batchSize(), monitor,
                        (s, logits, metrics) -> sink.accept(s, logits, channels, metrics));
            } finally {
                shared.lock().unlock();
            }
        } finally {
            release(shared);
        }
    }

    private static List<Sample> choose(SiteData site, DataSplit split, List<String> ids) {
        List<Sample> all = site.split(split);
        if (ids == null || ids.isEmpty()) {
            return all;
        }
        Map<String, Sample> byId = new LinkedHashMap<>();
        all.forEach(s -> byId.put(s.id(), s));
        List<String> missing = new ArrayList<>();
        List<Sample> chosen = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            Sample s = byId.get(id);
            if (s == null) {
                missing.add(id);
            } else {
                chosen.add(s);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("site '" + site.siteId() + "' has no samples " + missing + " in its "
                    + split.name().toLowerCase(java.util.Locale.ROOT) + " split (" + all.size() + " samples"
                    + (all.isEmpty() ? "" : ", e.g. " + all.stream().limit(3).map(Sample::id).toList()) + ")");
        }
        return chosen;
    }

    /** Sigmoid of each channel's logits. */
    private static float[][] probabilities(float[][] logits, int channels) {
        float[][] out = new float[channels][];
        for (int k = 0; k < channels; k++) {
            float[] l = logits[k];
            float[] p = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                p[i] = (float) (1 / (1 + Math.exp(-l[i])));
            }
            out[k] = p;
        }
        return out;
    }

    /** {@code <site>_<sample>.png}, the sample's own image extension dropped (no {@code x.png.png}). */
    private static String fileName(String siteId, String sampleId) {
        return (siteId + "_" + Sample.stem(sampleId)).replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }
}
