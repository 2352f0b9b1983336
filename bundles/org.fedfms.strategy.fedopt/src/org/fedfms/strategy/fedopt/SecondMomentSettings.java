package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;

/**
 * FedYogi's settings, and FedAdam's besides its bias correction: the common optimizer settings and the
 * second-moment decay.
 *
 * @param optimizer eta, weighted, beta1, tau
 * @param beta2 second-moment decay
 */
public record SecondMomentSettings(
        OptimizerSettings optimizer,
        @Setting(description = "second-moment decay beta2, below 1", min = 0, max = 1, maxExclusive = true)
        double beta2) {

    /** Defaults: beta1 0.9, beta2 0.99 (Flower's), eta 1e-2 and tau 1e-3 (see {@link OptimizerSettings}). */
    static final SecondMomentSettings DEFAULTS = new SecondMomentSettings(OptimizerSettings.defaults(0.9), 0.99);

    OptimizerParameters parameters(boolean biasCorrection) {
        return new OptimizerParameters(optimizer.step().serverLearningRate(), optimizer.beta1(), beta2,
                optimizer.tau(), optimizer.step().weighted(), biasCorrection);
    }
}
