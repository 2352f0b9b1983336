package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;

/**
 * The settings every server optimizer of Reddi et al. takes (FedAdagrad's whole set; FedYogi and FedAdam add
 * {@code beta2}, see {@link SecondMomentSettings}).
 *
 * @param serverLearningRate eta
 * @param beta1 first-moment decay
 * @param tau adaptivity
 * @param weighted weight the sites by their sample counts in the pseudo-gradient
 */
public record OptimizerSettings(
        @Setting(description = "server learning rate eta", min = 0)
        double serverLearningRate,
        @Setting(description = "first-moment (momentum) decay beta1, below 1", min = 0, max = 1)
        double beta1,
        @Setting(description = "adaptivity tau > 0, added to the root of the second moment", min = 0)
        double tau,
        @Setting(description = "weight each site by its training sample count in the pseudo-gradient "
                + "(false: plain mean)")
        boolean weighted) {

    public OptimizerSettings {
        if (beta1 >= 1) {
            throw new IllegalArgumentException("beta1 must be below 1, got " + beta1);
        }
        if (!(tau > 0)) {
            throw new IllegalArgumentException("tau must be positive (it keeps m/(sqrt(v)+tau) finite), got " + tau);
        }
    }

    /**
     * Server learning rate 1e-2 and tau 1e-3 (Flower's FedYogi defaults; Flower's FedAdam and FedAdagrad use 1e-1
     * and 1e-9, meant for training from scratch, which would throw a pretrained SAM far off in one round).
     */
    static OptimizerSettings defaults(double beta1) {
        return new OptimizerSettings(1e-2, beta1, 1e-3, true);
    }
}
