package org.fedfms.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.fedfms.api.Metrics;
import org.fedfms.api.data.CaseSlice;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.CsvWriter;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.ExperimentTables;

/**
 * The per-sample part of an export: the experiment's current model (each site's own model for local-only;
 * before the first round the initial, untrained one, a baseline)
 * evaluated sample by sample on each site's data through the federation's {@link ExperimentInspector} (the
 * prediction exporter of the experiment's trainer): {@code samples.csv} with a row per sample, and PNG
 * overlays (image | ground truth | prediction) under {@code overlays/} of each site's worst, median and best
 * cases with foreground ({@link OverlayChoice}), the case and its Dice in the picture and the file name.
 * Volumetric data is predicted once per slice: the same predictions give the slices' rows, the per-case
 * scores ({@link CaseExport}) and the pictures.
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

    PredictionExport(FederationService federation) {
        this.federation = federation;
    }

    /**
     * Writes {@code samples.csv} and up to {@code overlaysPerSite} PNGs per site into {@code dir}, or says
     * why it cannot (no exporter for the trainer, no local data).
     *
     * @param split {@link #EVALUATED}, {@code train}, {@code validation} or {@code test}
     * @param siteIds the sites to look at; empty for every site of the dataset
     * @param predictions where each volumetric case's predicted label volume goes; {@code null} for nowhere
     * @param progress where a line per site goes, and the per-case means of volumetric data
     */
    Outcome write(String name, Path dir, int overlaysPerSite, String split, List<String> siteIds, Path predictions,
            PrintStream progress) throws Exception {
        DataSplit chosen = split(split);
        ExperimentInspector inspector = federation.inspect(name);
        String trainer = inspector.spec().trainer();
        if (inspector.missingExporter() != null) {
            return nothing("PNG overlays of predictions: none written; " + inspector.missingExporter() + ", so there "
                    + "are no per-sample metrics or overlays; rounds.csv, sites.csv and experiment.json hold its "
                    + "results");
        }
        String dataset = inspector.spec().dataset();
        if (!inspector.dataHere()) {
            return nothing("PNG overlays of predictions: none written; the data of '" + dataset + "' is not "
                    + "on this machine (no dataset loader '" + dataset + "'; a coordinator's sites keep "
                    + "their images)");
        }
        List<SiteData> sites;
        try {
            sites = inspector.sites(siteIds);
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException("--sites: " + x.getMessage(), x);
        }
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
        CaseExport cases = new CaseExport(predictions);
        for (SiteData site : sites) {
            DataSplit s = chosen != null ? chosen : inspector.evaluatedSplit(site.siteId());
            List<Sample> samples = site.split(s);
            if (samples.isEmpty()) {
                continue;
            }
            String splitName = s.name().toLowerCase(Locale.ROOT);
            List<OverlayChoice.Candidate> candidates = new ArrayList<>();
            List<SampleMetrics> siteMetrics = CaseExport.volumetric(samples)
                    ? volumetric(inspector, site, s, samples, cases, candidates, monitor)
                    : images(inspector, site, s, samples, candidates, monitor);
            List<OverlayChoice.Choice> pictured = OverlayChoice.choose(candidates, overlaysPerSite);
            progress.println("[" + name + "] export: site " + site.siteId() + ", " + samples.size() + " "
                    + splitName + " samples, " + pictured.size() + " overlays");
            Map<String, Path> pictures = new HashMap<>();
            for (OverlayChoice.Choice c : pictured) {
                SamplePrediction p = c.candidate().prediction() != null ? c.candidate().prediction()
                        : inspector.predict(site, s, List.of(c.candidate().sampleId()), monitor).get(0);
                Path file = overlayDir.resolve(c.fileName(site.siteId()));
                inspector.drawOverlay(p, c.caption(site.siteId()), file);
                pictures.put(c.candidate().sampleId(), file);
            }
            for (SampleMetrics m : siteMetrics) {
                Path file = pictures.get(m.sampleId());
                all.add(file == null ? m : new SampleMetrics(m.siteId(), m.sampleId(), m.metrics(), file));
                splits.add(splitName);
                if (file != null) {
                    files.add(file);
                }
            }
        }
        int rounds = inspector.round();
        String model = rounds == 0 ? "the initial (untrained) model" : "the model of round " + rounds;
        Path csv = dir.resolve("samples.csv");
        AtomicFiles.write(csv, CsvWriter.toCsv(table(name, dir, all, splits)).getBytes(StandardCharsets.UTF_8));
        files.add(0, csv);
        int overlays = files.size() - 1;
        String perCase = "";
        if (!cases.isEmpty()) {
            files.add(1, cases.write(name, dir));
            cases.means().forEach(line -> progress.println("[" + name + "] cases: " + line));
            files.addAll(cases.volumes());
            perCase = "; per-case metrics (dice, iou, hd95_mm, assd_mm per foreground label of each volume) in "
                    + "cases.csv" + (predictions == null ? "" : ", " + cases.volumes().size()
                    + " predicted label volumes in " + predictions);
        } else if (predictions != null) {
            perCase = "; no predicted label volumes written: '" + inspector.spec().dataset() + "' has no volumes";
        }
        return new Outcome(files, overlays, all.size(), "per-sample metrics of " + model + " on " + all.size()
                + " samples in " + csv.getFileName() + means(all) + perCase + "; " + overlays + " PNG overlays of "
                + "predictions (image | ground truth | prediction) in " + overlayDir + " by trainer '" + trainer + "'");
    }

    /** 2-D data: each image's metrics, in one pass; each image with foreground is a candidate picture. */
    private static List<SampleMetrics> images(ExperimentInspector inspector, SiteData site, DataSplit split,
            List<Sample> samples, List<OverlayChoice.Candidate> candidates, TrainingMonitor monitor) throws Exception {
        List<SampleMetrics> metrics = inspector.evaluateSamples(site, split, samples.stream().map(Sample::id).toList(),
                monitor);
        for (SampleMetrics m : metrics) {
            candidates.add(new OverlayChoice.Candidate(m.sampleId(), m.sampleId(),
                    m.metrics().get("dice").orElse(Double.NaN), null));
        }
        return metrics;
    }

    /**
     * Volumetric data: each case's slices predicted once, giving the slices' rows of {@code samples.csv}, the
     * case's scores on its reassembled volume ({@code cases.csv}) and its predicted volume if asked; each
     * case with foreground is a candidate picture, drawn from its slice with the most foreground.
     */
    private static List<SampleMetrics> volumetric(ExperimentInspector inspector, SiteData site, DataSplit split,
            List<Sample> samples, CaseExport cases, List<OverlayChoice.Candidate> candidates,
            TrainingMonitor monitor) throws Exception {
        List<SampleMetrics> metrics = new ArrayList<>();
        for (Map.Entry<String, List<CaseSlice>> e : CaseExport.byCase(samples).entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("export interrupted");
            }
            Map<String, CaseSlice> byId = new LinkedHashMap<>();
            e.getValue().forEach(v -> byId.put(v.id(), v));
            Map<Integer, byte[]> predicted = new LinkedHashMap<>();
            SamplePrediction shown = null;
            int shownForeground = -1;
            for (SamplePrediction p : inspector.predict(site, split, List.copyOf(byId.keySet()), monitor)) {
                CaseSlice slice = byId.get(p.sampleId());
                if (slice == null) {
                    throw new IOException("site " + site.siteId() + ": a prediction of sample " + p.sampleId()
                            + " that case " + e.getKey() + " does not have");
                }
                metrics.add(p.metrics());
                predicted.put(slice.slice(), p.predicted());
                int foreground = p.foregroundPixels() + truthPixels(p);
                if (foreground > shownForeground) {
                    shown = p;
                    shownForeground = foreground;
                }
            }
            double dice = cases.add(site.siteId(), split.name().toLowerCase(Locale.ROOT),
                    e.getValue().get(0).caseVolume(), predicted);
            candidates.add(new OverlayChoice.Candidate(e.getKey(), shown.sampleId(), dice, shown));
        }
        return metrics;
    }

    private static int truthPixels(SamplePrediction p) {
        int n = 0;
        for (byte b : p.image().mask()) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * {@code  (mean dice 0.8123, iou 0.7012, hd95 3.250, 2 empty)} over the samples, NaN (label absent from
     * both) left out and counted as empty; or empty.
     */
    private static String means(List<SampleMetrics> all) {
        List<String> parts = new ArrayList<>();
        for (String k : ExperimentTables.SEGMENTATION_METRICS) {
            double[] v = all.stream().map(m -> m.metrics().values().get(k)).filter(x -> x != null && !x.isNaN())
                    .mapToDouble(Double::doubleValue).toArray();
            if (v.length > 0) {
                parts.add(k + " " + DataTable.format(java.util.Arrays.stream(v).average().orElseThrow()));
            }
        }
        double empty = all.stream().mapToDouble(m -> m.metrics().get(Metrics.EMPTY_COUNT).orElse(0)).sum();
        return parts.isEmpty() ? "" : " (mean " + String.join(", ", parts) + "; " + DataTable.format(empty)
                + " empty: label absent from both, left out)";
    }

    private static Outcome nothing(String note) {
        return new Outcome(List.of(), 0, 0, note);
    }

    /**
     * The split named by a {@code --split} choice, or {@code null} for {@link #EVALUATED} (the split the
     * experiment evaluates each site on).
     */
    static DataSplit split(String choice) {
        String c = choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals(EVALUATED)) {
            return null;
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
        Set<String> present = new LinkedHashSet<>();
        all.forEach(m -> present.addAll(m.metrics().values().keySet()));
        Set<String> names = new LinkedHashSet<>(ExperimentTables.SEGMENTATION_METRICS);
        names.retainAll(present);
        names.addAll(present);
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
