package org.fedfms.model.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.model.AdapterTypeInfo;
import org.fedfms.api.model.ModelService;
import org.fedfms.api.model.ModelSummary;
import org.fedfms.api.model.ModelVariantInfo;
import org.fedfms.api.model.PredictionRequest;
import org.fedfms.api.model.PredictionResult;
import org.fedfms.api.model.WeightsReport;
import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.AdapterType;
import org.fedfms.model.LoadMode;
import org.fedfms.model.LoadReport;
import org.fedfms.model.MaskPrediction;
import org.fedfms.model.ModelParts;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.WarmModels;
import org.fedfms.api.io.NpyArray;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.model.io.RgbImage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The model services faces use, over the model variants and adapter types present now. Models loaded for
 * {@link #predict} stay loaded for the next prediction of the same model, weights file contents and device
 * (system properties {@code fedfms.warmModels}, default 1, and {@code fedfms.warmModelsMb}, default 4096).
 */
@Component
public class ModelServiceComponent implements ModelService {

    /** What makes a loaded model reusable for a prediction. */
    private record WarmKey(String model, String adapter, Path weights, String weightsDigest, String device) {
    }

    private final TorchRuntime runtime;
    private final WarmModels<WarmKey, SegmentationModel> warm = new WarmModels<>();
    private final ModelParts<WarmKey> parts = new ModelParts<>(warm, WarmKey::model, WarmKey::adapter);
    private final java.util.concurrent.atomic.AtomicLong modelsLoaded = new java.util.concurrent.atomic.AtomicLong();
    private final int warmModels = Integer.getInteger("fedfms.warmModels", 1);
    private final double warmModelsMb = Double.parseDouble(System.getProperty("fedfms.warmModelsMb", "4096"));

    @Activate
    public ModelServiceComponent(@Reference TorchRuntime runtime) {
        this.runtime = runtime;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addVariant(ModelVariant variant, Map<String, Object> properties) {
        parts.addVariant(variant, properties);
    }

    void removeVariant(ModelVariant variant) {
        parts.removeVariant(variant);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAdapter(AdapterType adapter, Map<String, Object> properties) {
        parts.addAdapter(adapter, properties);
    }

    void removeAdapter(AdapterType adapter) {
        parts.removeAdapter(adapter);
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        warm.clear();
    }

    /** Models loaded for predictions so far (a warm model is not loaded again). */
    public long modelsLoaded() {
        return modelsLoaded.get();
    }

    @Override
    public List<ModelVariantInfo> variants() {
        return parts.variants().services().stream().map(ModelVariant::info).toList();
    }

    @Override
    public List<AdapterTypeInfo> adapters() {
        return parts.adapters().services().stream().map(AdapterType::info).toList();
    }

    private ModelVariant variant(String id) {
        ModelVariant v = id == null ? null : parts.variants().get(id);
        if (v == null) {
            throw new IllegalArgumentException("no model variant '" + id + "'; present: "
                    + parts.variants().ids());
        }
        return v;
    }

    private AdapterType adapter(String id) {
        if (id == null || id.isBlank()) {
            return null;
        }
        AdapterType a = parts.adapters().get(id);
        if (a == null) {
            throw new IllegalArgumentException("no adapter type '" + id + "'; present: "
                    + parts.adapters().ids());
        }
        return a;
    }

    private SegmentationModel build(String model, String adapter, Map<String, ?> settings) {
        ModelVariant v = variant(model);
        AdapterType a = adapter(adapter);
        SegmentationModel m = v.create();
        try {
            if (a != null) {
                a.apply(m, settings);
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public ModelSummary summarize(String model, String adapter, Map<String, ?> adapterSettings) {
        try (SegmentationModel m = build(model, adapter, adapterSettings)) {
            int tensors = m.parameters().size();
            int trainable = m.trainableParameters().size();
            return new ModelSummary(model, adapter, m.parameterCount(), m.trainableParameterCount(), m.partCounts(),
                    m.trainablePartCounts(), tensors, trainable);
        }
    }

    @Override
    public WeightsReport loadWeights(String model, String adapter, Path file) throws IOException {
        ParameterSet values = ParameterFiles.read(file);
        try (SegmentationModel m = build(model, adapter, Map.of())) {
            LoadMode mode = adapter == null || adapter.isBlank() ? LoadMode.EXACT : LoadMode.BASE;
            LoadReport r = m.initialize(runtime.newManager(Device.cpu()), 0, values, mode);
            return new WeightsReport(model, adapter, file, ParameterFiles.detect(file).name().toLowerCase(Locale.ROOT),
                    r.tensorsLoaded(), r.valuesLoaded(), r.renamed(), r.keptInitial(), r.ignored());
        }
    }

    @Override
    public PredictionResult predict(PredictionRequest request) throws IOException {
        Path weightsFile = request.weights().toAbsolutePath().normalize();
        String digest = warm.weightsDigest(weightsFile);
        Device device = runtime.device(request.device());
        WarmKey key = new WarmKey(request.model(), request.adapter(), weightsFile, digest, device.toString());
        warm.dropIf(k -> k.weights().equals(weightsFile) && !k.weightsDigest().equals(digest));
        SegmentationModel m = warm.take(key);
        if (m == null) {
            m = load(request, device);
        }
        try {
            int size = m.inputSize();
            InputImage input = readImage(request.image(), size);
            float[] pixels = m.preprocess(input.image().rgb(), input.image().height(), input.image().width());
            float[] masks;
            float[] iou;
            long[] maskShape;
            long start = System.nanoTime();
            try (NDManager batch = m.manager().newSubManager(); TorchRuntime.GradientScope g = runtime.noGradients()) {
                NDArray images = batch.create(pixels, new Shape(1, 3, size, size));
                Prompts prompts = prompts(batch, request.prompt(), input.scaleX(), input.scaleY());
                MaskPrediction p = m.predict(images, prompts, request.multimask());
                maskShape = p.masks().getShape().getShape();
                masks = p.masks().toFloatArray();
                iou = p.iou().toFloatArray();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            int k = (int) maskShape[1];
            int low = (int) maskShape[2];
            Outputs out = Outputs.of(request.output());
            new NpyArray(new int[] {k, low, low}, masks).write(out.masks());
            new NpyArray(new int[] {k}, iou).write(out.iou());
            if (out.overlay() != null) {
                int best = 0;
                for (int i = 1; i < k; i++) {
                    if (iou[i] > iou[best]) {
                        best = i;
                    }
                }
                float[] one = java.util.Arrays.copyOfRange(masks, best * low * low, (best + 1) * low * low);
                input.image().writeOverlayPng(out.overlay(), one, low, size);
            }
            List<Float> iouList = new ArrayList<>();
            for (float v : iou) {
                iouList.add(v);
            }
            return new PredictionResult(request.model(), out.masks(), out.iou(), out.overlay(), List.of(k, low, low),
                    iouList, device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu", millis);
        } finally {
            long bytes = m.tensors().values().stream().mapToLong(org.fedfms.model.nn.ModelParameter::size).sum() * 4;
            warm.offer(key, m, bytes, warmModels, warmModelsMb);
        }
    }

    /** The model of a prediction with its weights, every parameter frozen. */
    private SegmentationModel load(PredictionRequest request, Device device) throws IOException {
        ParameterSet weights = ParameterFiles.read(request.weights());
        SegmentationModel m = build(request.model(), request.adapter(), Map.of());
        m.initialize(runtime.newManager(device), 0, weights, LoadMode.EXACT);
        m.setTrainable(n -> false);
        modelsLoaded.incrementAndGet();
        return m;
    }

    /** An input image at model scale, and how its coordinates relate to the original's. */
    private record InputImage(RgbImage image, double scaleX, double scaleY) {
    }

    private static InputImage readImage(Path file, int size) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            NpyArray a = NpyArray.read(file);
            int[] s = a.shape();
            if (s.length != 3 || s[2] != 3) {
                throw new IllegalArgumentException(file + ": expected an H x W x 3 array, got "
                        + java.util.Arrays.toString(s));
            }
            if (Math.max(s[0], s[1]) != size) {
                throw new IllegalArgumentException(file + ": the longest side must be the model's input size " + size
                        + " (got " + s[0] + " x " + s[1] + "); resize it first, or pass a PNG/JPEG image");
            }
            return new InputImage(new RgbImage(s[1], s[0], a.values()), 1, 1);
        }
        RgbImage original = RgbImage.read(file);
        RgbImage resized = original.resizeLongestSide(size);
        return new InputImage(resized, (double) resized.width() / original.width(),
                (double) resized.height() / original.height());
    }

    static Prompts prompts(NDManager m, String text, double scaleX, double scaleY) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return Prompts.none();
        }
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        float[] v = colon < 0 ? new float[0] : numbers(t.substring(colon + 1), text);
        if (kind.equals("box") && v.length == 4) {
            float[] box = {(float) (v[0] * scaleX), (float) (v[1] * scaleY), (float) (v[2] * scaleX),
                (float) (v[3] * scaleY)};
            return Prompts.ofBoxes(m.create(box, new Shape(1, 4)));
        }
        if (kind.equals("point") && v.length == 2) {
            float[] point = {(float) (v[0] * scaleX), (float) (v[1] * scaleY)};
            return Prompts.ofPoints(m.create(point, new Shape(1, 1, 2)), m.create(new float[] {1f}, new Shape(1, 1)));
        }
        throw new IllegalArgumentException("prompt '" + text + "' is not one of none, box:x0,y0,x1,y1, point:x,y");
    }

    private static float[] numbers(String list, String text) {
        String[] parts = list.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prompt '" + text + "': '" + parts[i].trim() + "' is not a number");
            }
        }
        return v;
    }

    /** Where a prediction's files go. */
    record Outputs(Path masks, Path iou, Path overlay) {

        static Outputs of(Path out) {
            String name = out.getFileName().toString();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".png")) {
                String base = name.substring(0, name.length() - 4);
                return new Outputs(out.resolveSibling(base + ".masks.npy"), out.resolveSibling(base + ".iou.npy"), out);
            }
            if (lower.endsWith(".npy")) {
                String base = name.substring(0, name.length() - 4);
                return new Outputs(out, out.resolveSibling(base + ".iou.npy"), null);
            }
            return new Outputs(out.resolveSibling(name + ".masks.npy"), out.resolveSibling(name + ".iou.npy"), null);
        }
    }
}
