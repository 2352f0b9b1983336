package org.fedfms.train;

import org.fedfms.api.settings.Setting;

/**
 * The loss the {@code djl} trainer minimises: a group of {@link TrainerOptions}, flattened into its option names
 * ({@code loss=dice}, {@code posWeight=3}).
 *
 * @param loss training loss
 * @param posWeight weight of positive pixels in the BCE loss
 */
public record TrainingLoss(
        @Setting(description = "training loss: bce (BCE-with-logits with posWeight, the reference), dice (soft "
                + "Dice) or bce+dice (their sum)", choices = {"bce", "dice", "bce+dice"})
        String loss,
        @Setting(description = "weight of foreground pixels in the BCE loss (the reference uses 2)", min = 0,
                max = 1000)
        double posWeight) {

    /** The reference's: BCE-with-logits with {@code pos_weight} 2. */
    public static final TrainingLoss DEFAULTS = new TrainingLoss("bce", 2.0);

    /** Whether the loss has a BCE term. */
    public boolean usesBce() {
        return loss.contains("bce");
    }

    /** Whether the loss has a soft Dice term. */
    public boolean usesDice() {
        return loss.contains("dice");
    }
}
