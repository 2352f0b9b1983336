package org.fedfms.privacy;

import java.util.Arrays;

/**
 * A Rényi DP accountant: the RDP of a run of sampled Gaussian steps at a fixed list of orders,
 * composed by adding RDP order by order, converted to (ε, δ) with the classic bound of Mironov 2017
 * (Proposition 3): ε = min over α of RDP(α) + log(1/δ) / (α − 1). That is the conversion of
 * TensorFlow Privacy's {@code compute_dp_sgd_privacy} up to version 0.8, whose published examples
 * the tests reproduce. Immutable: {@link #compose} returns a new accountant.
 */
public final class RdpAccountant {

    private final double[] orders;
    private final double[] rdp;

    private RdpAccountant(double[] orders, double[] rdp) {
        this.orders = orders;
        this.rdp = rdp;
    }

    /**
     * The usual order list: 1.1 to 10.9 in steps of 0.1, the integers 11 to 63, and 128, 256, 512
     * (small orders give the bound when much noise is spent, large ones when little).
     */
    public static double[] defaultOrders() {
        double[] o = new double[99 + 53 + 3];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            o[k++] = 1 + x / 10.0;
        }
        for (int a = 11; a < 64; a++) {
            o[k++] = a;
        }
        o[k++] = 128;
        o[k++] = 256;
        o[k] = 512;
        return o;
    }

    /** An accountant with nothing spent yet, at {@link #defaultOrders()}. */
    public static RdpAccountant create() {
        return create(defaultOrders());
    }

    /** An accountant with nothing spent yet, at the given orders (each a finite number above 1). */
    public static RdpAccountant create(double[] orders) {
        if (orders.length == 0) {
            throw new IllegalArgumentException("an RDP accountant needs at least one order");
        }
        for (double a : orders) {
            if (!(a > 1) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("Renyi orders must be finite numbers > 1, got " + a);
            }
        }
        return new RdpAccountant(orders.clone(), new double[orders.length]);
    }

    /**
     * This accountant after {@code steps} more steps of the sampled Gaussian mechanism.
     *
     * @param q               sampling rate of each step
     * @param noiseMultiplier σ: noise standard deviation over clipping norm
     * @param steps           how many steps, ≥ 0
     */
    public RdpAccountant compose(double q, double noiseMultiplier, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        double[] next = rdp.clone();
        for (int k = 0; k < orders.length; k++) {
            next[k] += steps == 0 ? 0.0 : steps * SampledGaussian.rdp(q, noiseMultiplier, orders[k]);
        }
        return new RdpAccountant(orders, next);
    }

    /** The orders this accountant tracks. */
    public double[] orders() {
        return orders.clone();
    }

    /** The composed RDP at each of {@link #orders()}. */
    public double[] rdp() {
        return rdp.clone();
    }

    /** The smallest ε over the orders at which the composed run is (ε, δ)-DP. */
    public PrivacySpent spent(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double eps = rdp[k] + Math.log(1 / delta) / (orders[k] - 1);
            if (eps < best) {
                best = eps;
                bestOrder = orders[k];
            }
        }
        return new PrivacySpent(Math.max(0.0, best), delta, bestOrder);
    }

    /** Shorthand for {@code spent(delta).epsilon()}. */
    public double epsilon(double delta) {
        return spent(delta).epsilon();
    }

    @Override
    public String toString() {
        return "RdpAccountant" + Arrays.toString(rdp);
    }
}
