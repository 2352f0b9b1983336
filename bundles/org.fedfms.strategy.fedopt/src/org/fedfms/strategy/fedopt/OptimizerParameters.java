package org.fedfms.strategy.fedopt;

/**
 * The bound hyper-parameters of one server optimizer session.
 *
 * @param eta server learning rate
 * @param beta1 first-moment decay (FedAvgM: the momentum)
 * @param beta2 second-moment decay (unused by Adagrad and FedAvgM)
 * @param tau adaptivity: added to √v in the denominator
 * @param weighted weight the sites' models by their sample counts in the pseudo-gradient
 * @param biasCorrection scale eta by {@code sqrt(1 − β2^t) / (1 − β1^t)}, {@code t} the round number + 1, as
 *     Flower's FedAdam does
 */
record OptimizerParameters(double eta, double beta1, double beta2, double tau, boolean weighted,
        boolean biasCorrection) {

    /** The learning rate of the step of {@code round} (numbered from 1). */
    double etaAt(int round) {
        if (!biasCorrection) {
            return eta;
        }
        double t = round + 1.0;
        return eta * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }
}
