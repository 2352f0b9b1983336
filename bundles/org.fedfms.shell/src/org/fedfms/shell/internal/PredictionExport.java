package org.fedfms.shell.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.CsvWriter;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.ExperimentTables;

/**
 * The per-sample part of an export: the experiment's current model (each site's own model for local-only;
 * before the first round the initial, untrained one, a baseline)
 * evaluated sample by sample on each site's data through the {@link PredictionExporter} of the
 * experiment's trainer, {@code samples.csv} with a row per sample, and PNG overlays (image | ground truth
 * | prediction) of the first samples of each site under {@code overlays/}.
 *
 * <p>By default each site is looked at on the split the experiment evaluates it on every round (the
 * unseen site of leave-one-site-out on its test split, the others on their validation split), so the
 * mean of a site's rows equals the site's metrics of the last round.
 */
final class PredictionExport {

    /** Split choice meaning "the split the experiment evaluates the site on". */
    static final String EVALUATED = "evaluated";

    /**
     * What was written.
     *
     * @param files files written (the CSV, then the PNGs)
     * @param overlays PNGs written
     * @param samples samples evaluated
     * @param note one line on what was written or why nothing was
     */
    record Outcome(List<Path> files, int overlays, int samples, String note) {
    }

    private final FederationService federation;
    private final Map<String, PredictionExporter> exporters;

    PredictionExport(FederationService federation, Map<String, PredictionExporter> exporters) {
        this.federation = federation;
        this.exporters = exporters;
    }

    /**
     * Writes {@code samples.csv} and up to {@code overlaysPerSite} PNGs per site into {@code dir}, or says
     * why it cannot (no exporter for the trainer, no local data).
     *
     * @param split {@link #EVALUATED}, {@code train}, {@code validation} or {@code test}
     * @param siteIds the sites to look at; empty for every site of the dataset
     * @param progress where a line per site goes
     */
    Outcome write(String name, Path dir, int overlaysPerSite, String split, List<String> siteIds, PrintStream progress)
            throws Exception {
        ExperimentSpec spec = federation.spec(name);
        PredictionExporter exporter = exporters.get(spec.trainer());
        if (exporter == null) {
            return nothing("PNG overlays of predictions: none written; trainer '" + spec.trainer() + "' has no "
                    + "prediction exporter (exporters present: " + (exporters.isEmpty() ? "none"
                    : String.join(", ", new TreeMap<>(exporters).keySet())) + "), so there are no per-sample "
                    + "metrics or overlays; rounds.csv, sites.csv and experiment.json hold its results");
        }
        DatasetLoader loader = federation.loaders().stream().filter(l -> l.id().equals(spec.dataset())).findFirst()
                .orElse(null);
        if (loader == null) {
            return nothing("PNG overlays of predictions: none written; the data of '" + spec.dataset() + "' is not "
                    + "on this machine (no dataset loader '" + spec.dataset() + "'; a coordinator's sites keep "
                    + "their images)");
        }
        FederatedDataset dataset = loader.load(spec.datasetSettings());
        List<SiteData> sites = sites(dataset, siteIds);
        TrainerSpec trainerSpec = spec.trainerSpec();
        Map<String, ParameterSet> local = spec.protocol() == Protocol.LOCAL_ONLY ? federation.localParameters(name)
                : Map.of();
        int rounds = federation.status(name).completedRounds();
        ParameterSet global = federation.globalParameters(name);
        Path overlayDir = dir.resolve("overlays");
        Thread caller = Thread.currentThread();
        TrainingMonitor monitor = new TrainingMonitor() {
            @Override
            public void progress(String siteId, double fraction, String message) {
            }

            @Override
            public boolean isCancelled() {
                return caller.isInterrupted();
            }
        };
        List<SampleMetrics> all = new ArrayList<>();
        List<String> splits = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (SiteData site : sites) {
            DataSplit s = split(spec, site.siteId(), split);
            List<Sample> samples = site.split(s);
            if (samples.isEmpty()) {
                continue;
            }
            ParameterSet model = local.getOrDefault(site.siteId(), global);
            int pictures = Math.min(overlaysPerSite, samples.size());
            List<String> pictured = samples.subList(0, pictures).stream().map(Sample::id).toList();
            List<String> rest = samples.subList(pictures, samples.size()).stream().map(Sample::id).toList();
            progress.println("[" + name + "] export: site " + site.siteId() + ", " + samples.size() + " "
                    + s.name().toLowerCase(Locale.ROOT) + " samples, " + pictures + " overlays");
            List<SampleMetrics> siteMetrics = new ArrayList<>();
            if (!pictured.isEmpty()) {
                siteMetrics.addAll(exporter.export(trainerSpec, site, s, pictured, model, overlayDir, monitor));
            }
            if (!rest.isEmpty()) {
                siteMetrics.addAll(exporter.evaluateSamples(trainerSpec, site, s, rest, model, monitor));
            }
            for (SampleMetrics m : siteMetrics) {
                all.add(m);
                splits.add(s.name().toLowerCase(Locale.ROOT));
                if (m.file() != null) {
                    files.add(m.file());
                }
            }
        }
        String model = rounds == 0 ? "the initial (untrained) model" : "the model of round " + rounds;
        Path csv = dir.resolve("samples.csv");
        AtomicFiles.write(csv, CsvWriter.toCsv(table(name, dir, all, splits)).getBytes(StandardCharsets.UTF_8));
        files.add(0, csv);
        int overlays = files.size() - 1;
        return new Outcome(files, overlays, all.size(), "per-sample metrics of " + model + " on " + all.size()
                + " samples in " + csv.getFileName() + means(all) + "; " + overlays + " PNG overlays of predictions "
                + "(image | ground truth | prediction) in " + overlayDir + " by trainer '" + spec.trainer() + "'");
    }

    /** {@code  (mean dice 0.8123, iou 0.7012, hd95 3.250)} over the samples, or empty. */
    private static String means(List<SampleMetrics> all) {
        List<String> parts = new ArrayList<>();
        for (String k : ExperimentTables.SEGMENTATION_METRICS) {
            double[] v = all.stream().map(m -> m.metrics().values().get(k)).filter(x -> x != null)
                    .mapToDouble(Double::doubleValue).toArray();
            if (v.length > 0) {
                parts.add(k + " " + DataTable.format(java.util.Arrays.stream(v).average().orElseThrow()));
            }
        }
        return parts.isEmpty() ? "" : " (mean " + String.join(", ", parts) + ")";
    }

    private static Outcome nothing(String note) {
        return new Outcome(List.of(), 0, 0, note);
    }

    /** The chosen sites of the dataset, in its order; an error names sites it does not have. */
    private static List<SiteData> sites(FederatedDataset dataset, List<String> ids) {
        if (ids.isEmpty()) {
            return dataset.sites();
        }
        List<String> all = dataset.sites().stream().map(SiteData::siteId).toList();
        List<String> unknown = ids.stream().filter(id -> !all.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--sites: dataset '" + dataset.name() + "' has no site"
                    + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown) + " (sites: "
                    + String.join(", ", all) + ")");
        }
        return dataset.sites().stream().filter(s -> ids.contains(s.siteId())).toList();
    }

    /** The split a site is looked at on. */
    static DataSplit split(ExperimentSpec spec, String siteId, String choice) {
        String c = choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals(EVALUATED)) {
            return spec.protocol() == Protocol.LEAVE_ONE_SITE_OUT && siteId.equals(spec.unseenSite()) ? DataSplit.TEST
                    : DataSplit.VALIDATION;
        }
        for (DataSplit s : DataSplit.values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(c)) {
                return s;
            }
        }
        throw new IllegalArgumentException("--split: '" + choice + "' is not evaluated, train, validation or test");
    }

    /** A row per sample: experiment, site, split, sample, metrics (dice, iou, hd95 first), file relative to dir. */
    private static DataTable table(String name, Path dir, List<SampleMetrics> all, List<String> splits) {
        Set<String> names = new LinkedHashSet<>(ExperimentTables.SEGMENTATION_METRICS);
        all.forEach(m -> names.addAll(m.metrics().values().keySet()));
        List<String> headers = new ArrayList<>(List.of("experiment", "site", "split", "sample"));
        headers.addAll(names);
        headers.add("file");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            SampleMetrics m = all.get(i);
            List<Object> row = new ArrayList<>(List.of(name, m.siteId(), splits.get(i), m.sampleId()));
            names.forEach(k -> row.add(m.metrics().values().get(k)));
            row.add(m.file() == null ? null : dir.relativize(m.file()).toString());
            rows.add(row);
        }
        return new DataTable("", headers, rows);
    }
}
