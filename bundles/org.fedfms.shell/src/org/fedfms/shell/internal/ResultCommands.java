package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.RoundResult;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.CsvWriter;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.ExperimentReport;
import org.fedfms.shell.ExperimentSummary;
import org.fedfms.shell.ExperimentTables;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands over the results of experiments: metrics per round and site, exports, the comparison table. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=metrics",
    "osgi.command.function=export",
    "osgi.command.function=compare"})
@Descriptor("results of experiments")
public class ResultCommands implements CommandSet {

    /** PNG overlays per site when {@code --overlays} is not given. */
    static final int DEFAULT_OVERLAYS = 4;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FederationService federation;

    @Descriptor("show an experiment's rounds: a row per round, then a row per site (status, samples, training loss, "
            + "evaluation metrics such as dice, iou, hd95, bytes up and down, milliseconds)")
    public Table metrics(@Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        List<RoundResult> history = f.history(name);
        String title = history.isEmpty() ? "experiment " + name + ": no completed rounds yet"
                : "experiment " + name + ": " + history.size() + (history.size() == 1 ? " round" : " rounds");
        return ExperimentTables.metrics(title, history).toTable();
    }

    @Descriptor("write an experiment's results to a directory: rounds.csv (a row per round), sites.csv (a row per "
            + "round and site), experiment.json (spec, status, final summary, whole history), cross-site.csv (every "
            + "model on every site's data, as fedfms:cross-evaluate; once a round is done), and from its current "
            + "model (through the prediction exporter of its trainer; before the first round the untrained model) "
            + "samples.csv (site, split, sample, dice, iou, hd95, empty, file: a row per sample) and PNG overlays "
            + "(image | ground truth | prediction) in overlays/; for volumetric data also cases.csv (site, case, "
            + "label, dice, iou, hd95_mm, assd_mm: a row per evaluated case and foreground label, scored on the "
            + "reassembled volume), its per-site and overall means printed; files are replaced atomically")
    public ExportResult export(CommandSession session,
            @Descriptor("PNG overlays per site: its worst, median and best cases with foreground by Dice (more: "
                    + "evenly spaced between; 1: the median; 0: none), the case and its Dice drawn in the picture and "
                    + "its file name; every sample of the split gets a row in samples.csv; default " + DEFAULT_OVERLAYS)
            @Parameter(names = "--overlays", absentValue = "") String overlays,
            @Descriptor("split each site is looked at on: evaluated (default: the split the experiment evaluates it "
                    + "on, the unseen site's test split and the others' validation split), train, validation, test")
            @Parameter(names = "--split", absentValue = PredictionExport.EVALUATED) String split,
            @Descriptor("only these sites, comma-separated (default: every site of the dataset), e.g. the unseen site "
                    + "with --split test to test a centralized model on it")
            @Parameter(names = "--sites", absentValue = "") String sites,
            @Descriptor("volumetric data: also write each evaluated case's predicted label volume to this directory "
                    + "as CASE.nii.gz, with its image's header (affine, spacing), to open over the image")
            @Parameter(names = "--predictions", absentValue = "") String predictions,
            @Descriptor(SharedArguments.EXPERIMENT) String name,
            @Descriptor("directory to write to (created if missing)") String directory) throws Exception {
        FederationService f = Federations.require(federation);
        Federations.noUnknownOptions("export", List.of("--overlays", "--split", "--sites", "--predictions"), name,
                directory);
        int perSite = overlays.isBlank() ? DEFAULT_OVERLAYS : Federations.nonNegative("--overlays", overlays);
        PredictionExport.split(split);
        ExperimentSpec spec = f.spec(name);
        ExperimentStatus status = f.status(name);
        List<RoundResult> history = f.history(name);
        ExperimentSummary summary = ExperimentSummary.of(spec, status, history, trainableParameters(f, name, status));
        Path dir = Federations.resolve(session, directory);
        Path volumes = predictions.isBlank() ? null : Federations.resolve(session, predictions);
        if (volumes != null && Files.exists(volumes) && !Files.isDirectory(volumes)) {
            throw new IllegalArgumentException("--predictions: " + volumes + " is a file, not a directory");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot export experiment '" + name + "' to " + dir
                    + ": it is a file, not a directory");
        }
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        files.add(write(dir.resolve("rounds.csv"), CsvWriter.toCsv(ExperimentTables.rounds(name, history))));
        files.add(write(dir.resolve("sites.csv"), CsvWriter.toCsv(ExperimentTables.sites(name, history))));
        files.add(write(dir.resolve("experiment.json"),
                ExperimentReport.toJson(spec, status, history, summary, Instant.now())));
        files.addAll(RoundCharts.write(name, history, dir));
        ExperimentInspector inspector = history.isEmpty() ? null : f.inspect(name);
        if (inspector != null && inspector.dataHere()) {
            files.add(write(dir.resolve("cross-site.csv"), CsvWriter.toCsv(CrossSiteCommands.table(
                    inspector.crossEvaluate(CrossSiteCommands.interruptible())))));
        }
        List<String> siteIds = java.util.Arrays.stream(sites.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .toList();
        PredictionExport.Outcome samples = new PredictionExport(f).write(name, dir, perSite, split, siteIds, volumes,
                System.out);
        files.addAll(samples.files());
        return new ExportResult(name, dir, history.size(), files, samples.note());
    }

    @Descriptor("the paper's comparison table: per experiment its protocol, method (FedSAM, FedMSA, centralized, "
            + "local-only), final dice, iou and hd95 (the mean, then a row per site), trainable parameters, bytes up "
            + "and down per round, seconds per round")
    public Table compare(@Descriptor("experiment names, as listed by fedfms:experiments") String... names) {
        FederationService f = Federations.require(federation);
        if (names.length == 0) {
            throw new IllegalArgumentException("compare: name the experiments to compare, e.g. "
                    + "fedfms:compare fedsam fedmsa");
        }
        List<ExperimentSummary> summaries = new ArrayList<>();
        java.util.Map<String, String> starts = new java.util.LinkedHashMap<>();
        List<String> bests = new ArrayList<>();
        for (String name : names) {
            ExperimentStatus status = f.status(name);
            ExperimentSpec spec = f.spec(name);
            List<RoundResult> history = f.history(name);
            summaries.add(ExperimentSummary.of(spec, status, history, trainableParameters(f, name, status)));
            starts.put(name, status.startingPoint().describe());
            bests.add(name + ": " + (history.isEmpty() ? "no rounds" : "last round " + history.get(history.size() - 1)
                    .round()) + BestRound.of(history).map(b -> ", best " + b.describe()).orElse(""));
        }
        DataTable t = ExperimentTables.comparison(summaries);
        String start = starts.values().stream().distinct().count() == 1 ? starts.values().iterator().next()
                : starts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                        .collect(java.util.stream.Collectors.joining(", "));
        return new DataTable(String.join(" vs ", names) + " (starting point: " + start + "; " + String.join("; ", bests)
                + ")", t.headers(), t.rows()).toTable();
    }

    /**
     * The global trainable parameter count of an experiment that has run (its model is at hand), or -1;
     * an experiment that has not run is not set up just to count.
     */
    private static long trainableParameters(FederationService f, String name, ExperimentStatus status) {
        if (status.completedRounds() == 0) {
            return -1;
        }
        try {
            return f.globalParameters(name).parameterCount();
        } catch (FederationException e) {
            return -1;
        }
    }

    private static Path write(Path file, String text) throws IOException {
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /**
     * What {@code fedfms:export} wrote.
     *
     * @param experiment the experiment
     * @param directory where
     * @param rounds rounds exported
     * @param files the files written
     * @param note what was not written, and why
     */
    public record ExportResult(String experiment, Path directory, int rounds, List<Path> files, String note) {

        /** PNGs listed one by one; the rest are counted. */
        private static final int LISTED_PICTURES = 8;

        public ExportResult {
            files = List.copyOf(files);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("exported experiment '" + experiment + "' (" + rounds
                    + (rounds == 1 ? " round" : " rounds") + ") to " + directory + "\n");
            int pictures = 0;
            for (Path p : files) {
                if (p.getFileName().toString().endsWith(".png") && ++pictures > LISTED_PICTURES) {
                    continue;
                }
                long size;
                try {
                    size = Files.size(p);
                } catch (IOException e) {
                    size = -1;
                }
                sb.append("  ").append(p).append("  ").append(size < 0 ? "?" : new DataTable.ByteCount(size))
                        .append('\n');
            }
            if (pictures > LISTED_PICTURES) {
                sb.append("  ... and ").append(pictures - LISTED_PICTURES).append(" more PNG overlays\n");
            }
            sb.append(note);
            return sb.toString();
        }
    }
}
