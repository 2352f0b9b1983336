package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.CaseSlice;
import org.fedfms.api.data.CaseVolume;
import org.fedfms.api.data.LabelScores;
import org.fedfms.api.data.Sample;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.shell.CsvWriter;
import org.fedfms.shell.DataTable;

/**
 * The per-case part of an export of volumetric data: each evaluated case's predicted slices are put back
 * into its volume and scored per foreground label ({@link CaseVolume#score}: Dice, IoU, HD95 and ASSD in
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
        return !samples.isEmpty() && samples.stream().allMatch(s -> s instanceof CaseSlice);
    }

    /** The slices by case id, in the order first seen. */
    static Map<String, List<CaseSlice>> byCase(List<Sample> samples) {
        Map<String, List<CaseSlice>> byCase = new LinkedHashMap<>();
        for (Sample s : samples) {
            byCase.computeIfAbsent(s.caseId(), k -> new ArrayList<>()).add((CaseSlice) s);
        }
        return byCase;
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
     * Scores one case from its predicted slices and writes its predicted volume if asked.
     *
     * @param predicted predicted label per pixel of each predicted slice, by slice index
     * @return the case's Dice: the mean over its labels present in prediction or truth; NaN if none is
     */
    double add(String siteId, String split, CaseVolume volume, Map<Integer, byte[]> predicted) throws IOException {
        List<LabelScores> scores = volume.score(predicted);
        scores.forEach(s -> rows.add(new Row(siteId, split, volume.caseId(), s)));
        if (predictions != null) {
            Path target = predictions.resolve(volume.caseId() + ".nii.gz");
            Files.createDirectories(predictions);
            volume.writePrediction(predicted, target);
            volumes.add(target);
        }
        return scores.stream().filter(s -> !s.absent()).mapToDouble(LabelScores::dice).average().orElse(Double.NaN);
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
