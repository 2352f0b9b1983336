package org.fedfms.federation;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.fedfms.api.RoundResult;

/**
 * The round of an experiment with the best validation Dice, whose global model the checkpoints keep
 * beside the newest ones: {@code val_dice} (the source sites' validation under leave-one-site-out) when
 * the rounds report it, else {@code dice}. Rounds without it are not candidates; ties go to the earlier round.
 *
 * @param round the round
 * @param metric the metric compared
 * @param value its value in that round
 */
public record BestRound(int round, String metric, double value) {

    /** The best round of {@code history}, or empty when no round reports validation Dice. */
    public static Optional<BestRound> of(List<RoundResult> history) {
        String metric = history.stream().anyMatch(r -> r.evaluationMetrics().get("val_dice").isPresent()) ? "val_dice"
                : "dice";
        BestRound best = null;
        for (RoundResult r : history) {
            OptionalDouble v = r.evaluationMetrics().get(metric);
            if (v.isPresent() && !Double.isNaN(v.getAsDouble()) && (best == null || v.getAsDouble() > best.value)) {
                best = new BestRound(r.round(), metric, v.getAsDouble());
            }
        }
        return Optional.ofNullable(best);
    }

    /** In words, e.g. {@code round 5, val_dice 0.8940}. */
    public String describe() {
        return "round " + round + ", " + metric + " " + String.format(java.util.Locale.ROOT, "%.4f", value);
    }
}
