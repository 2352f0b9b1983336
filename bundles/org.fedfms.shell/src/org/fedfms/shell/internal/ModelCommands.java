package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.model.AdapterTypeInfo;
import org.fedfms.api.model.ModelService;
import org.fedfms.api.model.ModelSummary;
import org.fedfms.api.model.ModelVariantInfo;
import org.fedfms.api.model.PredictionRequest;
import org.fedfms.api.model.PredictionResult;
import org.fedfms.api.model.WeightsReport;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands over the model variants and adapter types present now (through the model service). */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=models",
    "osgi.command.function=adapters",
    "osgi.command.function=modelinfo",
    "osgi.command.function=loadweights",
    "osgi.command.function=predict",
    HyphenatedCommands.PROPERTY + "=model-info,load-weights"})
@Descriptor("segmentation models and adapter types")
public class ModelCommands implements CommandSet {

    private static final List<String> PART_ORDER = List.of("image_encoder", "prompt_encoder", "mask_decoder");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelService service;

    private ModelService service() {
        ModelService s = service;
        if (s == null) {
            throw new IllegalStateException("no model service is present (is the org.fedfms.model bundle started?)");
        }
        return s;
    }

    @Descriptor("list the model variants present now, with input size and parameter counts")
    public Table models() {
        List<List<String>> rows = new ArrayList<>();
        for (ModelVariantInfo v : service().variants()) {
            rows.add(List.of(v.id(), Integer.toString(v.inputSize()), count(v.parameterCount()), parts(v.partCounts()),
                    v.description()));
        }
        return new Table(rows.isEmpty() ? "no model variant is present" : "",
                List.of("id", "input", "parameters", "per part", "description"), rows);
    }

    @Descriptor("list the adapter types present now")
    public Table adapters() {
        List<List<String>> rows = new ArrayList<>();
        for (AdapterTypeInfo a : service().adapters()) {
            rows.add(List.of(a.id(), a.description()));
        }
        return new Table(rows.isEmpty() ? "no adapter type is present" : "", List.of("id", "description"), rows);
    }

    @Descriptor("count a model's parameters: total, trainable, per part, and what a round sends at fp32")
    public Table modelInfo(
            @Descriptor("adapter type id, as listed by fedfms:adapters (none: everything trains)")
            @Parameter(names = {"-a", "--adapter"}, absentValue = "") String adapter,
            @Descriptor("model variant id, as listed by fedfms:models") String model,
            @Descriptor("adapter settings as key=value") String... settings) {
        Map<String, String> s = SettingsSchema.parseArguments("adapter " + adapter, List.of(settings));
        ModelSummary m = service().summarize(model, adapter, s);
        List<List<String>> rows = new ArrayList<>();
        for (String part : ordered(m.partParameters())) {
            long total = m.partParameters().get(part);
            long trainable = m.partTrainable().getOrDefault(part, 0L);
            rows.add(List.of(part, count(total), count(trainable)));
        }
        rows.add(List.of("total", count(m.totalParameters()), count(m.trainableParameters())));
        String title = String.format(Locale.ROOT, "%s%s: %s parameters, %s trainable (%.2f %%) in %d of %d tensors; "
                + "a round sends %s per site and direction at fp32", model,
                adapter.isEmpty() ? "" : " with adapter " + adapter, count(m.totalParameters()),
                count(m.trainableParameters()), 100.0 * m.trainableParameters() / Math.max(1, m.totalParameters()),
                m.trainableTensors(), m.tensors(), bytes(m.bytesPerRoundFp32()));
        return new Table(title, List.of("part", "parameters", "trainable"), rows);
    }

    @Descriptor("load a weights file (PyTorch .pth/.pt checkpoint, .safetensors or .npz) into a model and report "
            + "what it held")
    public Table loadWeights(
            @Descriptor("adapter type the weights include (official weights may lack its modules)")
            @Parameter(names = {"-a", "--adapter"}, absentValue = "") String adapter,
            @Descriptor("model variant id") String model,
            @Descriptor("weights file") String file) throws IOException {
        WeightsReport r = service().loadWeights(model, adapter, Path.of(file));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("file", r.file().toString()));
        rows.add(List.of("format", r.format()));
        rows.add(List.of("tensors loaded", Integer.toString(r.tensorsLoaded())));
        rows.add(List.of("values loaded", count(r.valuesLoaded())));
        rows.add(List.of("renamed (Hugging Face names)", Integer.toString(r.renamed())));
        rows.add(List.of("kept initial values", r.keptInitial().isEmpty() ? "-" : r.keptInitial().size() + " tensors"));
        rows.add(List.of("ignored", r.ignored().isEmpty() ? "-" : String.join(", ", r.ignored())));
        return new Table("weights fit " + model + (adapter.isEmpty() ? "" : " with adapter " + adapter),
                List.of("item", "value"), rows);
    }

    @Descriptor("run a model on one image; writes the low-resolution mask logits and IoU predictions as .npy "
            + "(and a PNG overlay when OUT ends in .png)")
    public Table predict(
            @Descriptor("weights file (.pth/.pt, .safetensors or .npz) with every tensor of the model")
            @Parameter(names = {"-w", "--weights"}, absentValue = "") String weights,
            @Descriptor("image: .npy float32 HxWx3 (0..255, longest side = input size) or PNG/JPEG")
            @Parameter(names = {"-i", "--image"}, absentValue = "") String image,
            @Descriptor("output: X.png (overlay + X.masks.npy, X.iou.npy), X.npy (+ X.iou.npy) or a prefix")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("none, box:x0,y0,x1,y1 or point:x,y in the image's pixels")
            @Parameter(names = {"-p", "--prompt"}, absentValue = "none") String prompt,
            @Descriptor("three masks (tokens 1-3) instead of one (token 0)")
            @Parameter(names = {"-m", "--multimask"}, presentValue = "true", absentValue = "false") boolean multimask,
            @Descriptor("adapter type the weights were trained with")
            @Parameter(names = {"-a", "--adapter"}, absentValue = "") String adapter,
            @Descriptor("auto, cpu or gpu:N")
            @Parameter(names = {"-d", "--device"}, absentValue = "auto") String device,
            @Descriptor("model variant id") String model) throws IOException {
        List<String> missing = new ArrayList<>();
        if (weights.isEmpty()) {
            missing.add("--weights FILE");
        }
        if (image.isEmpty()) {
            missing.add("--image FILE");
        }
        if (out.isEmpty()) {
            missing.add("--out FILE");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("fedfms:predict needs " + String.join(", ", missing));
        }
        PredictionResult r = service().predict(new PredictionRequest(model, adapter, Path.of(weights), Path.of(image),
                Path.of(out), prompt, multimask, device));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("mask logits", r.masksFile() + "  " + r.maskShape()));
        rows.add(List.of("iou predictions", r.iouFile() + "  " + r.iou()));
        if (r.overlayFile() != null) {
            rows.add(List.of("overlay", r.overlayFile().toString()));
        }
        rows.add(List.of("device", r.device()));
        rows.add(List.of("forward pass", r.millis() + " ms"));
        return new Table(model + " on " + image, List.of("output", "value"), rows);
    }

    private static List<String> ordered(Map<String, Long> parts) {
        List<String> keys = new ArrayList<>(parts.keySet());
        keys.sort(Comparator.comparingInt((String k) -> {
            int i = PART_ORDER.indexOf(k);
            return i < 0 ? PART_ORDER.size() : i;
        }).thenComparing(k -> k));
        return keys;
    }

    private static String parts(Map<String, Long> parts) {
        List<String> l = new ArrayList<>();
        for (String p : ordered(parts)) {
            l.add(p + " " + count(parts.get(p)));
        }
        return String.join("\n", l);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        return String.format(Locale.ROOT, "%.1f MB (%,d bytes)", n / 1e6, n);
    }
}
