package org.fedfms.train.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.data.CaseSlice;
import org.fedfms.api.data.CaseVolume;
import org.fedfms.api.data.LabelScores;
import org.fedfms.api.data.Sample;

/**
 * The per-case metrics of a site's volumetric evaluation: each case's predicted slices are put back into its
 * volume ({@link CaseVolume#score}) as soon as its last slice is predicted, and the site reports the means
 * over its cases of Dice, IoU, HD95 and ASSD in millimetres ({@code dice}, {@code iou}, {@code hd95_mm},
 * {@code assd_mm}; with several labels also {@code dice_k} per label), a case's score being the mean over
 * its labels present in prediction or truth. A label absent from both in a case is left out and counted
 * ({@link Metrics#EMPTY_COUNT}); a case with no label present is left out of the means.
 */
final class CaseMetrics {

    private final Map<String, CaseSlice> slices = new HashMap<>();
    private final Map<String, Integer> remaining = new HashMap<>();
    private final Map<String, Map<Integer, byte[]>> pending = new HashMap<>();
    private final List<List<LabelScores>> cases = new ArrayList<>();

    private CaseMetrics(List<CaseSlice> samples) {
        for (CaseSlice s : samples) {
            slices.put(s.id(), s);
            remaining.merge(s.caseId(), 1, Integer::sum);
        }
    }

    /** Per-case metrics for {@code samples} when they are all slices of volumes; {@code null} otherwise. */
    static CaseMetrics of(List<Sample> samples) {
        if (samples.isEmpty() || !samples.stream().allMatch(s -> s instanceof CaseSlice)) {
            return null;
        }
        return new CaseMetrics(samples.stream().map(s -> (CaseSlice) s).toList());
    }

    /**
     * Takes one slice's prediction; scores its case when it was the case's last slice.
     *
     * @param predicted predicted label per pixel, row-major as the slice's mask
     * @throws IOException if the case's label volume cannot be read or the prediction does not fit
     */
    void add(String sampleId, byte[] predicted) throws IOException {
        CaseSlice slice = slices.get(sampleId);
        if (slice == null) {
            throw new IllegalArgumentException("sample " + sampleId + " is not a slice of the evaluated cases");
        }
        pending.computeIfAbsent(slice.caseId(), k -> new LinkedHashMap<>()).put(slice.slice(), predicted);
        if (remaining.merge(slice.caseId(), -1, Integer::sum) == 0) {
            cases.add(slice.caseVolume().score(pending.remove(slice.caseId())));
        }
    }

    /**
     * The site's metrics: the case means and the empty count, then {@code loss} (and every other metric
     * but the slice-level scores) from {@code perSlice}, the slices' means.
     */
    Metrics metrics(Metrics perSlice) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("dice", mean(s -> s.dice(), 0));
        m.put("iou", mean(s -> s.iou(), 0));
        m.put("hd95_mm", mean(s -> s.hd95Mm(), 0));
        m.put("assd_mm", mean(s -> s.assdMm(), 0));
        m.put(Metrics.EMPTY_COUNT, (double) cases.stream().flatMap(List::stream).filter(LabelScores::absent).count());
        int labels = cases.stream().mapToInt(List::size).max().orElse(0);
        if (labels > 1) {
            for (int k = 1; k <= labels; k++) {
                m.put("dice_" + k, mean(s -> s.dice(), k));
            }
        }
        perSlice.values().forEach((k, v) -> {
            if (!k.equals("hd95") && !k.startsWith("dice") && !k.equals("iou") && !Metrics.isCount(k)) {
                m.put(k, v);
            }
        });
        return new Metrics(m);
    }

    /** Mean over the cases of a score: of label {@code label}, or (0) of the case's present labels. */
    private double mean(java.util.function.ToDoubleFunction<LabelScores> score, int label) {
        double sum = 0;
        int n = 0;
        for (List<LabelScores> c : cases) {
            double caseSum = 0;
            int present = 0;
            for (LabelScores s : c) {
                if (!s.absent() && (label == 0 || s.label() == label)) {
                    caseSum += score.applyAsDouble(s);
                    present++;
                }
            }
            if (present > 0) {
                sum += caseSum / present;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
