package org.fedfms.train;

import org.fedfms.api.settings.Setting;

/**
 * The optimizer a site trains with, new each round: a group of {@link TrainerOptions}, flattened into its option
 * names ({@code optimizer=sgd}, {@code weightDecay=1e-4}).
 *
 * @param optimizer optimizer, created afresh for every round
 * @param weightDecay weight decay of the optimizer
 */
public record LocalOptimizer(
        @Setting(description = "optimizer, new each round (no state crosses rounds; the reference keeps one per "
                + "client): adam (the reference), adamw or sgd (plain SGD, as SCAFFOLD's paper)",
                choices = {"adam", "adamw", "sgd"})
        String optimizer,
        @Setting(description = "weight decay: L2 added to the gradient for adam, decoupled for adamw", min = 0,
                max = 1)
        double weightDecay) {

    /** The reference's: Adam without weight decay. */
    public static final LocalOptimizer DEFAULTS = new LocalOptimizer("adam", 0.0);
}
