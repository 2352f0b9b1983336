package org.fedfms.strategy.fedopt;

/**
 * The bound hyper-parameters of one server optimizer session.
 *
 * @param eta server learning rate
 * @param beta1 first-moment decay
 * @param beta2 second-moment decay (unused by Adagrad)
 * @param tau adaptivity: added to √v in the denominator
 * @param weighted weight the sites' models by their sample counts in the pseudo-gradient
 */
record OptimizerParameters(double eta, double beta1, double beta2, double tau, boolean weighted) {
}
