package org.fedfms.data.decathlon.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseIds;
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
 * Reads Medical Segmentation Decathlon tasks: {@code <root>/TaskXX_Name/} per site (or {@code root}
 * one task and {@code sites=FILE.csv}) whose {@code dataset.json} lists the training cases
 * ({@code training}: {@code image}, {@code label}), the labels (value → name) and the modalities;
 * several modalities are stored as a 4-D image. Paths in {@code dataset.json} must stay inside the task.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + DecathlonDatasetLoader.ID)
public class DecathlonDatasetLoader extends DescribedLoader<DatasetFolderSettings> implements DatasetLoader {

    static final String ID = "decathlon";

    private static final String LAYOUT = "a Decathlon task holds dataset.json, imagesTr/ and labelsTr/";

    private static final SettingsSchema<DatasetFolderSettings> SCHEMA =
            SettingsSchema.of("dataset " + ID, DatasetFolderSettings.class, DatasetFolderSettings.DEFAULTS);

    public DecathlonDatasetLoader() {
        super(ID, "Medical Segmentation Decathlon tasks (dataset.json training list, 4-D multi-modal images), one per site "
                + "or a site CSV", SCHEMA);
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        return VolumeDatasets.load(subject(), bind(settings), DecathlonDatasetLoader::read);
    }

    /** One task folder: its description and the cases of its training list; every problem is collected. */
    static VolumeDatasets.Folder read(Path dir, Function<Path, String> show) {
        String name = dir.getFileName().toString();
        String shownJson = show.apply(dir) + "/dataset.json";
        JsonObject json;
        try {
            json = JsonParser.parseString(DatasetJson.read(dir, show.apply(dir), LAYOUT)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String m = e instanceof IOException ? e.getMessage() : shownJson + ": not a JSON object (" + e.getMessage()
                    + ")";
            return new VolumeDatasets.Folder(name, Map.of(), List.of(), List.of(), List.of(m));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Long> labels = new LinkedHashMap<>();
        if (json.has("labels") && json.get("labels").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("labels").entrySet()) {
                try {
                    long v = Long.parseLong(e.getKey().trim());
                    labels.put(e.getValue().getAsString(), v);
                } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException x) {
                    problems.add(shownJson + ": label entry '" + e.getKey() + "': " + e.getValue()
                            + " is not value: name");
                }
            }
        } else {
            problems.add(shownJson + ": no labels object (value: name)");
        }
        if (!json.has("training") || !json.get("training").isJsonArray()) {
            problems.add(shownJson + ": no training list");
            return new VolumeDatasets.Folder(name, labels, List.of(), List.of(), problems);
        }
        List<VolumeDatasets.CaseProblem> caseProblems = new ArrayList<>();
        List<VolumeCase> cases = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonElement entry : json.getAsJsonArray("training")) {
            index++;
            String where = shownJson + " training[" + (index - 1) + "]";
            if (!entry.isJsonObject() || !entry.getAsJsonObject().has("image")
                    || !entry.getAsJsonObject().has("label")) {
                caseProblems.add(new VolumeDatasets.CaseProblem("#" + index, where + ": needs image and label"));
                continue;
            }
            Path image = inside(dir, entry.getAsJsonObject().get("image").getAsString());
            Path label = inside(dir, entry.getAsJsonObject().get("label").getAsString());
            String raw = entry.getAsJsonObject().get("image").getAsString();
            String id = CaseIds.baseName(Path.of(raw.replace('\\', '/')).getFileName().toString());
            if (image == null || label == null) {
                caseProblems.add(new VolumeDatasets.CaseProblem(id, where + ": a path leaves the task folder "
                        + show.apply(dir)));
            } else if (!Files.isRegularFile(image) || !Files.isRegularFile(label)) {
                caseProblems.add(new VolumeDatasets.CaseProblem(id, where + ": "
                        + (Files.isRegularFile(image) ? "" : show.apply(image) + " missing")
                        + (Files.isRegularFile(image) || Files.isRegularFile(label) ? "" : ", ")
                        + (Files.isRegularFile(label) ? "" : show.apply(label) + " missing")));
            } else if (!ids.add(id)) {
                caseProblems.add(new VolumeDatasets.CaseProblem("#" + index, where + ": case " + id
                        + " is listed twice"));
            } else {
                cases.add(VolumeCase.of(id, image, label, show.apply(image), show.apply(label)));
            }
        }
        if (json.has("numTraining") && json.get("numTraining").isJsonPrimitive()
                && json.get("numTraining").getAsInt() != index) {
            caseProblems.add(new VolumeDatasets.CaseProblem("*", shownJson + ": numTraining is "
                    + json.get("numTraining").getAsInt() + " but the training list has " + index + " entries"));
        }
        cases.sort(VolumeDatasets.BY_CASE);
        return new VolumeDatasets.Folder(name, labels, cases, caseProblems, problems);
    }

    /** {@code relative} resolved in {@code dir}, or {@code null} if it leaves it. */
    private static Path inside(Path dir, String relative) {
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(relative.replace('\\', '/')).normalize();
        return p.startsWith(base) && !p.equals(base) ? p : null;
    }
}
