package org.fedfms.privacy.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.privacy.PrivacySpent;
import org.fedfms.privacy.RdpAccountant;
import org.fedfms.privacy.SampledGaussian;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {

    private static final double MNIST_Q = 256 / 60000.0;

    private static long steps(int epochs) {
        return (long) Math.ceil(epochs * 60000 / 256.0);
    }

    private static double mnistEpsilon(double sigma, int epochs) {
        return RdpAccountant.create().compose(MNIST_Q, sigma, steps(epochs)).epsilon(1e-5);
    }

    /**
     * TensorFlow Privacy, tutorials/README.md ("Using Command-Line Interface for Privacy Budgeting"):
     * {@code compute_dp_sgd_privacy.py --N=60000 --batch_size=256 --noise_multiplier=1.1 --epochs=60
     * --delta=1e-5} "satisfies differential privacy with eps = 3.01 and delta = 1e-05"; the same page's
     * training log prints eps 1.03 after 1 epoch and 1.11 after 2 epochs. Published to two decimals.
     */
    @Test
    void mnistDefaultsMatchTensorFlowPrivacyTutorial() {
        assertEquals(3.01, mnistEpsilon(1.1, 60), 0.005);
        assertEquals(1.03, mnistEpsilon(1.1, 1), 0.005);
        assertEquals(1.11, mnistEpsilon(1.1, 2), 0.005);
    }

    /**
     * TensorFlow Privacy, tutorials/README.md, table "Select Parameters" (MNIST, 256 per batch,
     * δ = 1e-5): σ = 1.3 for 15 epochs gives ε = 1.19; σ = 0.7 for 45 epochs gives ε = 7.10.
     */
    @Test
    void mnistTableMatchesTensorFlowPrivacyTutorial() {
        assertEquals(1.19, mnistEpsilon(1.3, 15), 0.005);
        assertEquals(7.10, mnistEpsilon(0.7, 45), 0.005);
    }

    /** Without subsampling the mechanism is the Gaussian mechanism: RDP α / (2σ²) (Mironov 2017, Prop. 7). */
    @Test
    void fullParticipationIsTheGaussianMechanism() {
        for (double alpha : new double[] { 1.5, 2, 2.5, 7, 12.3, 64 }) {
            assertEquals(alpha / (2 * 1.5 * 1.5), SampledGaussian.rdp(1.0, 1.5, alpha), 1e-12);
            // the series of the subsampled case tend to the same closed form as q -> 1, at integer and fractional orders
            assertEquals(alpha / (2 * 1.5 * 1.5), SampledGaussian.rdp(1 - 1e-9, 1.5, alpha), 1e-7 * alpha);
        }
    }

    /** The fractional-order series and the integer-order sum describe one function of α. */
    @Test
    void fractionalOrdersJoinIntegerOrdersContinuously() {
        for (double alpha : new double[] { 2, 3, 10, 32 }) {
            double atInteger = SampledGaussian.rdp(0.01, 1.1, alpha);
            double justAbove = SampledGaussian.rdp(0.01, 1.1, alpha + 1e-9);
            assertEquals(atInteger, justAbove, 1e-6 * atInteger);
        }
        assertTrue(SampledGaussian.rdp(0.01, 1.1, 2.5) > SampledGaussian.rdp(0.01, 1.1, 2));
        assertTrue(SampledGaussian.rdp(0.01, 1.1, 2.5) < SampledGaussian.rdp(0.01, 1.1, 3));
    }

    @Test
    void compositionAddsRdpOrderByOrder() {
        RdpAccountant once = RdpAccountant.create().compose(0.25, 1.0, 30);
        RdpAccountant twice = RdpAccountant.create().compose(0.25, 1.0, 10).compose(0.25, 1.0, 20);
        double[] a = once.rdp();
        double[] b = twice.rdp();
        for (int k = 0; k < a.length; k++) {
            assertEquals(a[k], b[k], 1e-12 * Math.max(1, a[k]));
        }
        assertTrue(once.epsilon(1e-5) > RdpAccountant.create().compose(0.25, 1.0, 29).epsilon(1e-5));
    }

    /** The classic conversion: ε = min over α of RDP(α) + log(1/δ)/(α−1); with one order, that order's value. */
    @Test
    void conversionIsTheClassicBound() {
        RdpAccountant one = RdpAccountant.create(new double[] { 5 }).compose(1.0, 2.0, 3);
        PrivacySpent spent = one.spent(1e-6);
        assertEquals(3 * 5 / (2 * 4.0) + Math.log(1e6) / 4, spent.epsilon(), 1e-12);
        assertEquals(5, spent.order());
        assertEquals(1e-6, spent.delta());
    }

    @Test
    void nothingSpentAndNoNoise() {
        assertEquals(0.0, RdpAccountant.create().compose(0.0, 1.0, 100).rdp()[0]);
        assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.create().compose(0.5, 0.0, 1).epsilon(1e-5));
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException q = assertThrows(IllegalArgumentException.class, () -> SampledGaussian.rdp(1.5, 1, 2));
        assertTrue(q.getMessage().contains("sampling rate"), q.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> RdpAccountant.create().spent(0));
        assertTrue(d.getMessage().contains("delta"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.create(new double[] { 1.0 }));
        assertThrows(IllegalArgumentException.class, () -> SampledGaussian.rdp(0.1, -1, 2));
    }
}
