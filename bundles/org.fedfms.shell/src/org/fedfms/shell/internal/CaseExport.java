package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.data.metrics.LabelScores;
import org.fedfms.data.volume.CaseScoring;
import org.fedfms.data.volume.NiftiLabelWriter;
import org.fedfms.data.volume.VolumeCase;
import org.fedfms.data.volume.VolumeSlicing.VolumeSlice;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.shell.CsvWriter;
import org.fedfms.shell.DataTable;

/**
 * The per-case part of an export of volumetric data: each evaluated case's predicted slices are put back
 * into its volume and scored per foreground label ({@link CaseScoring}: Dice, IoU, HD95 and ASSD in
 * millimetres), a row per case and label in {@code cases.csv}; optionally each case's predicted label volume
 * as {@code <case>.nii.gz} with its source image's header. A label absent from both prediction and ground
 * truth is flagged and its NaN scores are left out of the means, and counted.
 */
final class CaseExport {

    /** The per-case metrics, as the header of {@code cases.csv} names them. */
    static final List<String> METRICS = List.of("dice", "iou", "hd95_mm", "assd_mm");

    private record Row(String site, String split, String caseId, LabelScores scores) {
    }

    private final Path predictions;
    private final List<Row> rows = new ArrayList<>();
    private final List<Path> volumes = new ArrayList<>();

    /**
     * @param predictions folder for the predicted label volumes; {@code null} for none
     */
    CaseExport(Path predictions) {
        this.predictions = predictions;
    }

    /** Whether the samples are slices of volumes (and so are scored per case). */
    static boolean volumetric(List<Sample> samples) {
        return !samples.isEmpty() && samples.stream().allMatch(s -> s instanceof VolumeSlice);
    }

    /** Whether any case was scored. */
    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The label volumes written, in order. */
    List<Path> volumes() {
        return List.copyOf(volumes);
    }

    /**
     * Predicts and scores the cases of a site's split one case at a time (its slices through
     * {@link ExperimentInspector#predict}), writing its predicted volume if asked.
     *
     * @param samples the site's samples of {@code split}, all {@link VolumeSlice}s
     */
    void add(ExperimentInspector inspector, SiteData site, DataSplit split, List<Sample> samples,
            TrainingMonitor monitor) throws Exception {
        Map<String, List<VolumeSlice>> byCase = new LinkedHashMap<>();
        for (Sample s : samples) {
            byCase.computeIfAbsent(s.caseId(), k -> new ArrayList<>()).add((VolumeSlice) s);
        }
        for (Map.Entry<String, List<VolumeSlice>> e : byCase.entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("export interrupted");
            }
            Map<String, VolumeSlice> byId = new HashMap<>();
            e.getValue().forEach(v -> byId.put(v.id(), v));
            List<SamplePrediction> predicted = inspector.predict(site, split, List.copyOf(byId.keySet()), monitor);
            List<CaseScoring.SlicePrediction> slices = new ArrayList<>();
            for (SamplePrediction p : predicted) {
                VolumeSlice slice = byId.get(p.sampleId());
                if (slice == null) {
                    throw new IOException("site " + site.siteId() + ": a prediction of sample " + p.sampleId()
                            + " that case " + e.getKey() + " does not have");
                }
                slices.add(new CaseScoring.SlicePrediction(slice, p.predicted()));
            }
            String splitName = split.name().toLowerCase(Locale.ROOT);
            for (List<LabelScores> scores : CaseScoring.score(slices).values()) {
                scores.forEach(s -> rows.add(new Row(site.siteId(), splitName, e.getKey(), s)));
            }
            if (predictions != null) {
                VolumeCase c = e.getValue().get(0).volumeCase();
                Path target = predictions.resolve(c.caseId() + ".nii.gz");
                Files.createDirectories(predictions);
                NiftiLabelWriter.write(c.images().get(0), c.shownImages().get(0), CaseScoring.predictedVolume(slices),
                        target);
                volumes.add(target);
            }
        }
    }

    /** Writes {@code cases.csv} into {@code dir}: a row per case and foreground label. */
    Path write(String experiment, Path dir) throws IOException {
        List<String> headers = new ArrayList<>(List.of("experiment", "site", "split", "case", "label"));
        headers.addAll(METRICS);
        headers.add("absent_from_both");
        List<List<Object>> table = new ArrayList<>();
        for (Row r : rows) {
            LabelScores s = r.scores();
            table.add(List.of(experiment, r.site(), r.split(), r.caseId(), s.label(), s.dice(), s.iou(), s.hd95Mm(),
                    s.assdMm(), s.absent()));
        }
        Path csv = dir.resolve("cases.csv");
        AtomicFiles.write(csv, CsvWriter.toCsv(new DataTable("", headers, table)).getBytes(StandardCharsets.UTF_8));
        return csv;
    }

    /**
     * Lines of means over the case rows: per site, then overall; each metric's mean over the rows that are
     * not NaN, with the count of NaN rows left out, e.g.
     * {@code site siteA: 2 cases, 2 rows, mean dice 0.8123, iou 0.7012, hd95_mm 3.250, assd_mm 1.020 (1 NaN left out)}.
     */
    List<String> means() {
        Map<String, List<Row>> bySite = new LinkedHashMap<>();
        rows.forEach(r -> bySite.computeIfAbsent(r.site(), k -> new ArrayList<>()).add(r));
        List<String> lines = new ArrayList<>();
        bySite.forEach((site, r) -> lines.add("site " + site + ": " + means(r)));
        lines.add("overall: " + means(rows));
        return lines;
    }

    private static String means(List<Row> rows) {
        long cases = rows.stream().map(r -> r.site() + "/" + r.caseId()).distinct().count();
        long absent = rows.stream().filter(r -> r.scores().absent()).count();
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < METRICS.size(); k++) {
            int m = k;
            double[] v = rows.stream().mapToDouble(r -> metric(r.scores(), m)).filter(x -> !Double.isNaN(x))
                    .toArray();
            parts.add(METRICS.get(k) + " " + (v.length == 0 ? "NaN"
                    : DataTable.format(java.util.Arrays.stream(v).average().orElseThrow())));
        }
        return cases + (cases == 1 ? " case, " : " cases, ") + rows.size() + (rows.size() == 1 ? " row" : " rows")
                + ", mean " + String.join(", ", parts) + " (" + absent + " NaN left out: label absent from both)";
    }

    private static double metric(LabelScores s, int k) {
        return switch (k) {
            case 0 -> s.dice();
            case 1 -> s.iou();
            case 2 -> s.hd95Mm();
            default -> s.assdMm();
        };
    }
}
