package org.fedfms.strategy.fedopt;

/**
 * The moment updates of the three server optimizers of Reddi et al., "Adaptive Federated
 * Optimization" (ICLR 2021), Algorithm 2, as Flower implements them. With the pseudo-gradient
 * {@code d = mean(site models) − global}:
 * <pre>
 *   m ← β1·m + (1 − β1)·d
 *   v ← v + d²                              (Adagrad)
 *   v ← v − (1 − β2)·d²·sign(v − d²)         (Yogi)
 *   v ← β2·v + (1 − β2)·d²                   (Adam)
 *   x ← x + η·m / (√v + τ)
 * </pre>
 * No bias correction, as in the paper's algorithm.
 */
enum UpdateRule {
    ADAGRAD, YOGI, ADAM;

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
            default -> throw new IllegalStateException(name());
        }
    }
}
