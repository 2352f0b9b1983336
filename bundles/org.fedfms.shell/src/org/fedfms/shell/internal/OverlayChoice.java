package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.fedfms.api.data.Sample;
import org.fedfms.api.train.SamplePrediction;

/**
 * Which cases of a site an export pictures: of the cases that have foreground (a Dice that is not NaN:
 * the label in the ground truth or the prediction), the worst, the median and the best by Dice (for
 * more pictures, cases evenly spaced in between; for one, the median), each with a caption and a file
 * name that carry the case's name and its Dice.
 */
final class OverlayChoice {

    /**
     * A case that may be pictured.
     *
     * @param caseName the case (for 2-D data the image's sample id)
     * @param sampleId the sample drawn: the image itself, or the slice of a volume with the most foreground
     * @param dice the case's Dice (NaN: the label absent from both, never pictured)
     * @param prediction the sample's prediction if it is in hand, else {@code null} (predicted when drawn)
     */
    record Candidate(String caseName, String sampleId, double dice, SamplePrediction prediction) {
    }

    /**
     * A chosen picture.
     *
     * @param role {@code worst}, {@code median}, {@code best}, or {@code rankK} (1-based rank by Dice)
     */
    record Choice(Candidate candidate, String role) {

        /** {@code site-1 case_003 dice 0.8123 (worst)}. */
        String caption(String siteId) {
            return siteId + " " + candidate.caseName() + " dice " + dice() + " (" + role + ")";
        }

        /** {@code site-1_worst_case_003_dice0.8123.png}: the case's own extension dropped. */
        String fileName(String siteId) {
            return (siteId + "_" + role + "_" + Sample.stem(candidate.caseName()) + "_dice" + dice())
                    .replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
        }

        private String dice() {
            return String.format(Locale.ROOT, "%.4f", candidate.dice());
        }
    }

    private OverlayChoice() {
    }

    /** Up to {@code count} of the candidates with foreground, worst first. */
    static List<Choice> choose(List<Candidate> candidates, int count) {
        List<Candidate> ranked = new ArrayList<>(candidates.stream().filter(c -> !Double.isNaN(c.dice()))
                .sorted(Comparator.comparingDouble(Candidate::dice).thenComparing(Candidate::caseName)).toList());
        int m = ranked.size();
        List<Choice> out = new ArrayList<>();
        if (m == 0 || count <= 0) {
            return out;
        }
        int median = (m - 1) / 2;
        List<Integer> ranks = new ArrayList<>();
        if (count == 1) {
            ranks.add(median);
        } else {
            for (int k = 0; k < count; k++) {
                int r = (int) ((long) k * (m - 1) / (count - 1));
                if (!ranks.contains(r)) {
                    ranks.add(r);
                }
            }
        }
        for (int r : ranks) {
            String role = count == 1 ? "median" : r == m - 1 ? "best" : r == 0 ? "worst" : r == median ? "median"
                    : "rank" + (r + 1);
            out.add(new Choice(ranked.get(r), role));
        }
        return out;
    }
}
