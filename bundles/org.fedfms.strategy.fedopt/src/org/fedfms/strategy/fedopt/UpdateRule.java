package org.fedfms.strategy.fedopt;

/**
 * The moment updates of the three server optimizers of Reddi et al., "Adaptive Federated
 * Optimization" (ICLR 2021), Algorithm 2, as Flower implements them, and of server momentum (FedAvgM,
 * Hsu et al. 2019). With the pseudo-gradient {@code d = mean(site models) − global}:
 * <pre>
 *   m ← β1·m + (1 − β1)·d
 *   v ← v + d²                              (Adagrad)
 *   v ← v − (1 − β2)·d²·sign(v − d²)         (Yogi)
 *   v ← β2·v + (1 − β2)·d²                   (Adam)
 *   x ← x + η·m / (√v + τ)
 *
 *   m ← β1·m + d,  x ← x + η·m               (FedAvgM: β1 is the server momentum, no v)
 * </pre>
 * The step's η comes from the session ({@link OptimizerParameters#etaAt}: FedAdam's bias correction).
 */
enum UpdateRule {
    ADAGRAD, YOGI, ADAM, AVGM;

    /** Whether the rule keeps a second moment {@code v}. */
    boolean secondMoment() {
        return this != AVGM;
    }

    /**
     * One optimizer step over one tensor, in place: {@code x} holds the mean of the site models and
     * receives the new parameters, {@code m} and {@code v} are updated.
     */
    void step(float[] x, float[] global, float[] m, float[] v, float eta, float beta1, float beta2, float tau) {
        float c1 = 1f - beta1;
        float c2 = 1f - beta2;
        switch (this) {
            case ADAM -> {
                for (int k = 0; k < x.length; k++) {
                    float g = global[k];
                    float d = x[k] - g;
                    float mk = beta1 * m[k] + c1 * d;
                    float vk = beta2 * v[k] + c2 * (d * d);
                    m[k] = mk;
                    v[k] = vk;
                    x[k] = g + eta * mk / ((float) Math.sqrt(vk) + tau);
                }
            }
            case YOGI -> {
                for (int k = 0; k < x.length; k++) {
                    float g = global[k];
                    float d = x[k] - g;
                    float d2 = d * d;
                    float mk = beta1 * m[k] + c1 * d;
                    float vk = v[k] - c2 * d2 * Math.signum(v[k] - d2);
                    m[k] = mk;
                    v[k] = vk;
                    x[k] = g + eta * mk / ((float) Math.sqrt(vk) + tau);
                }
            }
            case ADAGRAD -> {
                for (int k = 0; k < x.length; k++) {
                    float g = global[k];
                    float d = x[k] - g;
                    float mk = beta1 * m[k] + c1 * d;
                    float vk = v[k] + d * d;
                    m[k] = mk;
                    v[k] = vk;
                    x[k] = g + eta * mk / ((float) Math.sqrt(vk) + tau);
                }
            }
            case AVGM -> {
                for (int k = 0; k < x.length; k++) {
                    float g = global[k];
                    float mk = beta1 * m[k] + (x[k] - g);
                    m[k] = mk;
                    x[k] = g + eta * mk;
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }
}
