package org.fedfms.data.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.fedfms.api.data.FolderEvaluator;
import org.fedfms.api.data.LabelScores;
import org.fedfms.api.io.AtomicFiles;
import org.osgi.service.component.annotations.Component;

/**
 * Scores a folder of predicted label files against the label files of the same names, per case and
 * label, as nnU-Net's folder evaluation does: the labels scored are every non-zero value found in
 * either folder (or those asked for), so a label absent from both files of a case still gets its
 * record (NaN). Means per label leave NaN records out and count them.
 */
@Component(service = FolderEvaluator.class)
public final class FolderEvaluation implements FolderEvaluator {

    /**
     * Scores {@code predictions} against {@code labels}.
     *
     * @param only the labels to score; empty: every non-zero value found in either folder
     * @throws IOException listing every problem at once (a prediction without a label file, a label
     *         file without a prediction, unreadable files, grids that differ)
     */
    @Override
    public Result evaluate(Path predictions, Path labels, List<Integer> only) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> names = names(predictions, problems);
        List<String> truthNames = names(labels, problems);
        for (String n : truthNames) {
            if (!names.contains(n)) {
                problems.add(labels.resolve(n) + ": no prediction " + predictions.resolve(n));
            }
        }
        List<String> cases = new ArrayList<>();
        List<LabelVolume[]> volumes = new ArrayList<>();
        TreeSet<Integer> found = new TreeSet<>();
        for (String n : names) {
            if (!truthNames.contains(n)) {
                problems.add(predictions.resolve(n) + ": no label file " + labels.resolve(n));
                continue;
            }
            try {
                LabelVolume p = LabelVolume.read(predictions.resolve(n), predictions.resolve(n).toString());
                LabelVolume t = LabelVolume.read(labels.resolve(n), labels.resolve(n).toString());
                if (!Arrays.equals(p.size(), t.size())) {
                    problems.add(n + ": the prediction is " + dims(p.size()) + " voxels, the label " + dims(t.size()));
                    continue;
                }
                Arrays.stream(p.values()).filter(v -> v != 0).forEach(found::add);
                Arrays.stream(t.values()).filter(v -> v != 0).forEach(found::add);
                cases.add(n);
                volumes.add(new LabelVolume[] {p, t});
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(problems.size() + (problems.size() == 1 ? " problem" : " problems") + ":\n  "
                    + String.join("\n  ", problems));
        }
        int[] scored = (only == null || only.isEmpty() ? found.stream() : only.stream().sorted().distinct())
                .mapToInt(Integer::intValue).toArray();
        List<CaseRecord> records = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            LabelVolume p = volumes.get(i)[0];
            LabelVolume t = volumes.get(i)[1];
            for (LabelScores s : SegmentationScores.score(scored, p.values(), t.values(), t.size(), t.spacing())) {
                records.add(new CaseRecord(cases.get(i), s));
            }
        }
        return new Result(records, means(records, scored));
    }

    /** The means per label, NaN records left out and counted. */
    public static List<LabelMean> means(List<CaseRecord> records, int[] labels) {
        List<LabelMean> means = new ArrayList<>();
        for (int label : labels) {
            double[] sum = new double[4];
            int n = 0;
            int absent = 0;
            for (CaseRecord r : records) {
                LabelScores s = r.scores();
                if (s.label() != label) {
                    continue;
                }
                if (s.absent()) {
                    absent++;
                    continue;
                }
                n++;
                sum[0] += s.dice();
                sum[1] += s.iou();
                sum[2] += s.hd95Mm();
                sum[3] += s.assdMm();
            }
            double d = n == 0 ? Double.NaN : n;
            means.add(new LabelMean(label, sum[0] / d, sum[1] / d, sum[2] / d, sum[3] / d, n, absent));
        }
        return means;
    }

    /** The result as JSON: {@code cases} (one object per case and label) and {@code mean} per label; NaN as null. */
    public static String toJson(Result r) {
        StringBuilder b = new StringBuilder("{\n  \"cases\": [");
        for (int i = 0; i < r.records().size(); i++) {
            CaseRecord c = r.records().get(i);
            LabelScores s = c.scores();
            b.append(i == 0 ? "\n" : ",\n").append("    {\"case\": ").append(quote(c.caseName())).append(", \"label\": ")
                    .append(s.label()).append(scores(s.dice(), s.iou(), s.hd95Mm(), s.assdMm())).append('}');
        }
        b.append("\n  ],\n  \"mean\": {");
        for (int i = 0; i < r.means().size(); i++) {
            LabelMean m = r.means().get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    \"").append(m.label()).append("\": {\"cases\": ").append(m.scored())
                    .append(", \"absent\": ").append(m.absent()).append(scores(m.dice(), m.iou(), m.hd95Mm(), m.assdMm()))
                    .append('}');
        }
        return b.append("\n  }\n}\n").toString();
    }

    /** Writes {@link #toJson} to {@code file} whole or not at all. */
    @Override
    public void writeJson(Result r, Path file) throws IOException {
        AtomicFiles.write(file, toJson(r).getBytes(StandardCharsets.UTF_8));
    }

    private static String scores(double dice, double iou, double hd95, double assd) {
        return ", \"dice\": " + num(dice) + ", \"iou\": " + num(iou) + ", \"hd95_mm\": " + num(hd95) + ", \"assd_mm\": "
                + num(assd);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "null";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String dims(int[] s) {
        return s[0] + "x" + s[1] + "x" + s[2];
    }

    private static List<String> names(Path dir, List<String> problems) throws IOException {
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": not a folder");
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && LabelVolume.readable(n)).sorted().toList();
        }
    }
}
