package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.ServicesById;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetInspector;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.DatasetSummary;
import org.fedfms.api.data.DatasetValidation;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteSummary;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands over the dataset loaders present now. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=datasets",
    "osgi.command.function=datasetinfo",
    "osgi.command.function=datasetvalidate",
    HyphenatedCommands.PROPERTY + "=dataset-info",
    HyphenatedCommands.PROPERTY + "=dataset-validate"})
@Descriptor("datasets: loaders, their sites, splits and problems")
public class DatasetCommands implements CommandSet {

    private static final String SKIP_BAD = "skipBad";

    private final ServicesById<DatasetLoader> loaders = new ServicesById<>(DatasetLoader::id);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLoader(DatasetLoader loader, Map<String, Object> properties) {
        loaders.add(loader, properties);
    }

    void removeLoader(DatasetLoader loader) {
        loaders.remove(loader);
    }

    @Descriptor("list the dataset loaders present now, with their settings and defaults")
    public Table datasets() {
        return ServiceListing.table("no dataset loader is present", sorted(), DatasetLoader::id,
                DatasetLoader::description, DatasetLoader::settings);
    }

    @Descriptor("load a dataset and show its sites, samples per split, cases, class balance and image sizes")
    public Table datasetInfo(
            @Descriptor("samples decoded per site for class balance and sizes")
            @Parameter(names = {"-n", "--inspect"}, absentValue = "50") int inspect,
            @Descriptor(SharedArguments.LOADER) String id,
            @Descriptor("settings as key=value, e.g. root=/data/prostate sites=6") String... settings)
            throws DatasetException {
        DatasetLoader loader = loader(id);
        FederatedDataset ds = loader.load(arguments(loader, settings));
        DatasetSummary summary = DatasetInspector.inspect(ds, inspect);
        List<List<String>> rows = new ArrayList<>();
        for (SiteSummary s : summary.sites()) {
            rows.add(List.of(s.siteId(), Integer.toString(s.train()), Integer.toString(s.validation()),
                    Integer.toString(s.test()), Integer.toString(s.cases()), balance(s, summary.classes()), sizes(s)));
        }
        StringBuilder title = new StringBuilder(String.format(Locale.ROOT, "%s: %d classes, %d sites, %d samples",
                ds.name(), ds.classes(), ds.sites().size(), summary.sites().stream()
                        .mapToInt(s -> s.train() + s.validation() + s.test()).sum()));
        if (!ds.skipped().isEmpty()) {
            title.append("\n").append(ds.skipped().size()).append(" skipped (skipBad=true):");
            ds.skipped().forEach(line -> title.append("\n  ").append(line));
        }
        if (!summary.problems().isEmpty()) {
            title.append("\n").append(summary.problems().size()).append(" samples failed to decode:");
            summary.problems().forEach(line -> title.append("\n  ").append(line));
        }
        return new Table(title.toString(), List.of("site", "train", "validation", "test", "cases",
                "class balance (% of pixels, " + inspect + " samples/site)", "image sizes"), rows);
    }

    @Descriptor("load a dataset, decode every sample and report every problem at once (skipped cases "
            + "included); fails, so that a script exits non-zero, when it finds any")
    public Table datasetValidate(
            @Descriptor(SharedArguments.LOADER) String id,
            @Descriptor("settings as key=value, e.g. root=/data/prostate") String... settings)
            throws DatasetException {
        DatasetLoader loader = loader(id);
        Map<String, Object> args = new LinkedHashMap<>(arguments(loader, settings));
        boolean canSkip = loader.settings().descriptors().stream().anyMatch(d -> d.key().equals(SKIP_BAD));
        if (canSkip) {
            args.putIfAbsent(SKIP_BAD, true);
        }
        List<String> problems;
        String what;
        try {
            DatasetValidation v = DatasetValidator.validate(loader.load(args));
            problems = v.problems();
            what = v.samplesChecked() + " samples";
        } catch (DatasetException e) {
            problems = e.problems().isEmpty() ? List.of(e.getMessage()) : e.problems();
            what = "a dataset that could not be listed";
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            rows.add(List.of(Integer.toString(i + 1), problems.get(i)));
        }
        if (problems.isEmpty()) {
            return new Table(id + ": no problems in " + what, List.of("#", "problem"), rows);
        }
        // a failing command, so that scripts and 'fedfms exec' exit non-zero; the message lists every problem
        throw new DatasetException(id + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " in " + what, problems);
    }

    private DatasetLoader loader(String id) {
        DatasetLoader l = loaders.get(id);
        if (l == null) {
            throw new IllegalArgumentException("no dataset loader '" + id + "'; present: "
                    + loaders.ids());
        }
        return l;
    }

    private static Map<String, Object> arguments(DatasetLoader loader, String[] settings) {
        return new LinkedHashMap<>(SettingsSchema.parseArguments("dataset " + loader.id(),
                settings == null ? List.of() : Arrays.asList(settings)));
    }

    private List<DatasetLoader> sorted() {
        return loaders.services();
    }

    private static String balance(SiteSummary s, int classes) {
        if (s.inspected() == 0) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            parts.add(String.format(Locale.ROOT, "%d: %.1f", c, 100 * s.classFraction(c)));
        }
        return String.join("  ", parts);
    }

    private static String sizes(SiteSummary s) {
        List<String> parts = new ArrayList<>();
        s.sizes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> parts.add(e.getKey() + " (" + e.getValue() + ")"));
        return parts.isEmpty() ? "-" : String.join("\n", parts);
    }
}
