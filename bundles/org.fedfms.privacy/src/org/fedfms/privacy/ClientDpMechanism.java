package org.fedfms.privacy;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;

/**
 * What a site does to its update under {@link ClientDp} before the update leaves it: the difference to
 * the global it trained from is clipped to L2 norm C over all tensors together, then every value gets
 * independent Gaussian noise of standard deviation σ·C from a cryptographically strong generator. The
 * noise is local (each upload carries all of it), so the coordinator need not be trusted. The same class
 * runs in simulated sites and in site agents.
 */
public final class ClientDpMechanism {

    /**
     * An update after the mechanism.
     *
     * @param parameters global plus the clipped, noised difference
     * @param norm       L2 norm of the difference before clipping
     * @param scale      factor the difference was multiplied by, min(1, C / norm)
     */
    public record Privatized(ParameterSet parameters, double norm, double scale) {
    }

    private final ClientDp dp;
    private final SecureGaussian gaussian = new SecureGaussian();

    public ClientDpMechanism(ClientDp dp) {
        this.dp = dp;
    }

    /**
     * A site's fit result with the mechanism applied if {@code instructions} ask for client DP
     * ({@value ClientDp#INSTRUCTION}); otherwise {@code result} itself.
     *
     * @throws IllegalArgumentException if the instruction is not a valid setting or the update does not fit the global
     */
    public static FitResult apply(FitResult result, ParameterSet global, FitInstructions instructions) {
        Object setting = instructions == null ? null : instructions.values().get(ClientDp.INSTRUCTION);
        if (setting == null || result == null || result.parameters() == null) {
            return result;
        }
        ClientDp dp;
        try {
            dp = ClientDp.parse(setting.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("site " + result.siteId() + ": fit instruction '" + ClientDp.INSTRUCTION
                    + "' is invalid: " + e.getMessage(), e);
        }
        ParameterSet privatized = new ClientDpMechanism(dp).privatize(result.parameters(), global).parameters();
        return new FitResult(result.siteId(), privatized, result.sampleCount(), result.metrics());
    }

    /**
     * The trained parameters with the difference to {@code global} clipped and noised.
     *
     * @throws IllegalArgumentException if a tensor of {@code trained} is missing from {@code global} or has
     *     another shape, or a value of the difference is not finite
     */
    public Privatized privatize(ParameterSet trained, ParameterSet global) {
        double sumSquares = 0;
        for (Tensor t : trained.tensors()) {
            float[] start = startOf(t, global);
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) {
                double d = (double) v[i] - start[i];
                sumSquares += d * d;
            }
        }
        double norm = Math.sqrt(sumSquares);
        if (!Double.isFinite(norm)) {
            throw new IllegalArgumentException("client DP cannot clip the update: it holds a non-finite value"
                    + " (" + trained.firstNonFinite() + ")");
        }
        double scale = norm > dp.clip() ? dp.clip() / norm : 1.0;
        double stddev = dp.noiseStddev();
        ParameterSet.Builder out = ParameterSet.builder();
        for (Tensor t : trained.tensors()) {
            float[] start = startOf(t, global);
            float[] v = t.values();
            float[] noisy = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                noisy[i] = (float) (start[i] + scale * ((double) v[i] - start[i]) + stddev * gaussian.next());
            }
            out.add(t.name(), t.shape(), noisy);
        }
        return new Privatized(out.build(), norm, scale);
    }

    private static float[] startOf(Tensor t, ParameterSet global) {
        if (!global.contains(t.name())) {
            throw new IllegalArgumentException("client DP: tensor '" + t.name() + "' of the update is not in the "
                    + "global parameters it was trained from");
        }
        Tensor g = global.get(t.name());
        if (!g.sameShape(t)) {
            throw new IllegalArgumentException("client DP: tensor '" + t.name() + "' has shape " + t.shapeText()
                    + " in the update but " + g.shapeText() + " in the global parameters");
        }
        return g.values();
    }
}
