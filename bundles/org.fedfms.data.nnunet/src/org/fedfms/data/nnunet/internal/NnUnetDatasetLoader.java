package org.fedfms.data.nnunet.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.DescribedLoader;
import org.fedfms.data.volume.DatasetFolderSettings;
import org.fedfms.data.volume.DatasetJson;
import org.fedfms.data.volume.VolumeCase;
import org.fedfms.data.volume.VolumeDatasets;
import org.osgi.service.component.annotations.Component;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Reads nnU-Net v2 raw datasets: {@code <root>/DatasetXXX_Name/} per site (or {@code root} one dataset
 * and {@code sites=FILE.csv}) with {@code dataset.json} ({@code channel_names}, {@code labels}
 * name→value, {@code numTraining}, {@code file_ending}), {@code imagesTr/CASE_0000.nii.gz} (one file per
 * channel: {@code _0001}, ...) and {@code labelsTr/CASE.nii.gz}. Case ids may contain {@code _}: only the
 * final {@code _XXXX} is the channel. {@code imagesTs} is not training data and is not read.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + NnUnetDatasetLoader.ID)
public class NnUnetDatasetLoader extends DescribedLoader<DatasetFolderSettings> implements DatasetLoader {

    static final String ID = "nnunet";

    private static final Pattern CHANNEL = Pattern.compile("(.+)_(\\d{4})");

    private static final String LAYOUT = "an nnU-Net v2 dataset holds dataset.json, imagesTr/ and labelsTr/";

    private static final SettingsSchema<DatasetFolderSettings> SCHEMA =
            SettingsSchema.of("dataset " + ID, DatasetFolderSettings.class, DatasetFolderSettings.DEFAULTS);

    public NnUnetDatasetLoader() {
        super(ID, "nnU-Net v2 raw datasets (dataset.json, imagesTr/CASE_0000.nii.gz, labelsTr), one per site or a site CSV", SCHEMA);
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        return VolumeDatasets.load(subject(), bind(settings), NnUnetDatasetLoader::read);
    }

    /** One dataset folder: its description, then its cases; every problem is collected. */
    static VolumeDatasets.Folder read(Path dir, Function<Path, String> show) {
        String name = dir.getFileName().toString();
        List<VolumeDatasets.CaseProblem> caseProblems = new ArrayList<>();
        JsonObject json;
        try {
            json = JsonParser.parseString(DatasetJson.read(dir, show.apply(dir), LAYOUT)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String m = e instanceof IOException ? e.getMessage()
                    : show.apply(dir) + "/dataset.json: not a JSON object (" + e.getMessage() + ")";
            return new VolumeDatasets.Folder(name, Map.of(), List.of(), List.of(), List.of(m));
        }
        String shownJson = show.apply(dir) + "/dataset.json";
        List<String> problems = new ArrayList<>();
        Map<String, Long> labels = labels(json, shownJson, problems);
        int channels = json.has("channel_names") && json.get("channel_names").isJsonObject()
                ? json.getAsJsonObject("channel_names").size() : 0;
        if (channels == 0) {
            problems.add(shownJson + ": no channel_names");
        }
        String ending = json.has("file_ending") ? json.get("file_ending").getAsString() : ".nii.gz";
        if (!ending.equals(".nii.gz") && !ending.equals(".nii")) {
            problems.add(shownJson + ": file_ending '" + ending + "' is not supported (.nii.gz and .nii are)");
        }
        Path images = dir.resolve("imagesTr");
        Path labelDir = dir.resolve("labelsTr");
        for (Path d : List.of(images, labelDir)) {
            if (!Files.isDirectory(d)) {
                problems.add(show.apply(d) + ": folder missing (" + LAYOUT + ")");
            }
        }
        if (!problems.isEmpty()) {
            return new VolumeDatasets.Folder(name, labels, List.of(), caseProblems, problems);
        }
        Map<String, Map<Integer, Path>> byCase = new TreeMap<>();
        Map<String, Path> labelFiles = new TreeMap<>();
        try {
            for (Path f : list(images, ending)) {
                String stem = stem(f, ending);
                Matcher m = CHANNEL.matcher(stem);
                if (!m.matches()) {
                    caseProblems.add(new VolumeDatasets.CaseProblem(stem, show.apply(f) + ": the name does not end in "
                            + "a channel _XXXX (e.g. " + stem + "_0000" + ending + ")"));
                    continue;
                }
                byCase.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), f);
            }
            for (Path f : list(labelDir, ending)) {
                labelFiles.put(stem(f, ending), f);
            }
        } catch (IOException e) {
            return new VolumeDatasets.Folder(name, labels, List.of(), caseProblems,
                    List.of(show.apply(dir) + ": cannot list: " + e.getMessage()));
        }
        List<VolumeCase> cases = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, Path>> e : byCase.entrySet()) {
            String id = e.getKey();
            Map<Integer, Path> ch = e.getValue();
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                if (!ch.containsKey(c)) {
                    missing.add(String.format(Locale.ROOT, "%s_%04d%s", id, c, ending));
                }
            }
            List<String> extra = ch.keySet().stream().filter(c -> c >= channels)
                    .map(c -> String.format(Locale.ROOT, "%s_%04d%s", id, c, ending)).toList();
            Path label = labelFiles.get(id);
            if (!missing.isEmpty() || !extra.isEmpty() || label == null) {
                List<String> what = new ArrayList<>();
                if (!missing.isEmpty()) {
                    what.add("missing " + String.join(", ", missing));
                }
                if (!extra.isEmpty()) {
                    what.add(String.join(", ", extra) + " beyond the " + channels + " channel_names");
                }
                if (label == null) {
                    what.add("no label " + show.apply(labelDir.resolve(id + ending)));
                }
                caseProblems.add(new VolumeDatasets.CaseProblem(id, show.apply(images) + ": case " + id + ": "
                        + String.join("; ", what)));
                continue;
            }
            List<Path> files = new ArrayList<>(ch.values());
            cases.add(new VolumeCase(id, files, label, files.stream().map(show).toList(), show.apply(label)));
        }
        for (Map.Entry<String, Path> l : labelFiles.entrySet()) {
            if (!byCase.containsKey(l.getKey())) {
                caseProblems.add(new VolumeDatasets.CaseProblem(l.getKey(), show.apply(l.getValue()) + ": no image "
                        + l.getKey() + "_0000" + ending + " in " + show.apply(images)));
            }
        }
        if (json.has("numTraining") && json.get("numTraining").isJsonPrimitive()) {
            int declared = json.get("numTraining").getAsInt();
            int found = (int) Stream.concat(byCase.keySet().stream(), labelFiles.keySet().stream()).distinct().count();
            if (declared != found) {
                caseProblems.add(new VolumeDatasets.CaseProblem("*", shownJson + ": numTraining is " + declared
                        + " but imagesTr/labelsTr hold " + found + " cases"));
            }
        }
        return new VolumeDatasets.Folder(name, labels, cases, caseProblems, problems);
    }

    /** nnU-Net's {@code labels}: name → value; region lists (several values per name) are not supported. */
    private static Map<String, Long> labels(JsonObject json, String shownJson, List<String> problems) {
        Map<String, Long> labels = new LinkedHashMap<>();
        if (!json.has("labels") || !json.get("labels").isJsonObject()) {
            problems.add(shownJson + ": no labels object (name: value)");
            return labels;
        }
        for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("labels").entrySet()) {
            JsonElement v = e.getValue();
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
                    && v.getAsDouble() == Math.rint(v.getAsDouble()) && v.getAsDouble() >= 0) {
                labels.put(e.getKey(), v.getAsLong());
            } else {
                problems.add(shownJson + ": label '" + e.getKey() + "' is " + v + "; only one whole value per label "
                        + "is supported (not region-based training)");
            }
        }
        return labels;
    }

    private static List<Path> list(Path dir, String ending) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)
                    && p.getFileName().toString().endsWith(ending)).sorted().toList();
        }
    }

    private static String stem(Path f, String ending) {
        String n = f.getFileName().toString();
        return n.substring(0, n.length() - ending.length());
    }
}
