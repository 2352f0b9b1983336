package org.fedfms.privacy;

/**
 * The Rényi differential privacy of one step of the sampled Gaussian mechanism: each record (here:
 * each site) takes part with probability {@code q}, contributions are clipped to norm C and Gaussian
 * noise of standard deviation {@code σ·C} is added. Follows Mironov, Talwar and Zhang, "Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism" (2019): the binomial expansion (their
 * Section 3.3) at integer orders and the two converging series with the erfc tails at fractional
 * orders; q = 1 is the plain Gaussian mechanism, whose RDP is α / (2σ²).
 */
public final class SampledGaussian {

    private static final double STOP_BELOW_LOG = -30.0;
    private static final int MAX_TERMS = 100_000;

    private SampledGaussian() {
    }

    /**
     * The RDP ε(α) of one step.
     *
     * @param q               sampling rate in [0, 1]
     * @param noiseMultiplier σ, the noise standard deviation divided by the clipping norm, ≥ 0
     * @param order           the Rényi order α, &gt; 1
     * @return ε(α) of one step; {@code +∞} when σ is 0 and q is above 0
     * @throws IllegalArgumentException when an argument is out of range, naming it
     */
    public static double rdp(double q, double noiseMultiplier, double order) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        }
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noise multiplier must be a finite number >= 0, got " + noiseMultiplier);
        }
        if (!(order > 1) || Double.isInfinite(order)) {
            throw new IllegalArgumentException("Renyi order must be a finite number > 1, got " + order);
        }
        if (q == 0) {
            return 0.0;
        }
        if (noiseMultiplier == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1.0) {
            return order / (2 * noiseMultiplier * noiseMultiplier);
        }
        double logA = order == Math.rint(order) && order < Integer.MAX_VALUE
                ? logAIntegerOrder(q, noiseMultiplier, (int) order)
                : logAFractionalOrder(q, noiseMultiplier, order);
        return logA / (order - 1);
    }

    /** log A_α = log Σ_{i=0..α} C(α,i) q^i (1−q)^(α−i) exp((i²−i)/(2σ²)). */
    private static double logAIntegerOrder(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double logBinomial = 0.0;
        double logA = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinomial += Math.log(alpha - i + 1) - Math.log(i);
            }
            double term = logBinomial + i * logQ + (alpha - i) * log1mQ + (i * (double) i - i) / (2 * sigma * sigma);
            logA = LogSpace.add(logA, term);
        }
        return logA;
    }

    /** The two series A₁ + A₂ of the fractional case, with generalised binomial coefficients of either sign. */
    private static double logAFractionalOrder(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double logHalf = Math.log(0.5);
        double positive0 = Double.NEGATIVE_INFINITY;
        double negative0 = Double.NEGATIVE_INFINITY;
        double positive1 = Double.NEGATIVE_INFINITY;
        double negative1 = Double.NEGATIVE_INFINITY;
        double logAbsBinomial = 0.0;
        double sign = 1.0;
        for (int i = 0; i < MAX_TERMS; i++) {
            if (i > 0) {
                double factor = (alpha - (i - 1)) / i;
                logAbsBinomial += Math.log(Math.abs(factor));
                sign *= Math.signum(factor);
            }
            double j = alpha - i;
            double s0 = logAbsBinomial + i * logQ + j * log1mQ + (i * (double) i - i) / (2 * sigma * sigma)
                    + logHalf + LogErfc.of((i - z0) / sqrt2Sigma);
            double s1 = logAbsBinomial + j * logQ + i * log1mQ + (j * j - j) / (2 * sigma * sigma)
                    + logHalf + LogErfc.of((z0 - j) / sqrt2Sigma);
            if (sign > 0) {
                positive0 = LogSpace.add(positive0, s0);
                positive1 = LogSpace.add(positive1, s1);
            } else {
                negative0 = LogSpace.add(negative0, s0);
                negative1 = LogSpace.add(negative1, s1);
            }
            if (Math.max(s0, s1) < STOP_BELOW_LOG) {
                return LogSpace.subtract(LogSpace.add(positive0, positive1), LogSpace.add(negative0, negative1));
            }
        }
        throw new ArithmeticException("the series of the sampled Gaussian did not converge for q=" + q
                + ", sigma=" + sigma + ", order=" + alpha);
    }
}
