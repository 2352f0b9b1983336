package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;

/**
 * The settings every server optimizer of Reddi et al. takes (FedAdagrad's whole set; FedYogi and FedAdam add
 * {@code beta2}, see {@link SecondMomentSettings}).
 *
 * @param step eta and the weighting of the mean
 * @param beta1 first-moment decay
 * @param tau adaptivity
 */
public record OptimizerSettings(
        ServerStep step,
        @Setting(description = "first-moment (momentum) decay beta1, below 1", min = 0, max = 1, maxExclusive = true)
        double beta1,
        @Setting(description = "adaptivity tau > 0, added to the root of the second moment (it keeps m/(sqrt(v)+tau) "
                + "finite)", min = 0, minExclusive = true)
        double tau) {

    /**
     * Server learning rate 1e-2 and tau 1e-3 (Flower's FedYogi defaults; Flower's FedAdam and FedAdagrad use 1e-1
     * and 1e-9, meant for training from scratch, which would throw a pretrained SAM far off in one round).
     */
    static OptimizerSettings defaults(double beta1) {
        return new OptimizerSettings(new ServerStep(1e-2, true), beta1, 1e-3);
    }
}
