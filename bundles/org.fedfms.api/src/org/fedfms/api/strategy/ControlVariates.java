package org.fedfms.api.strategy;

import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * SCAFFOLD's control variates (Karimireddy et al., 2020) as they travel inside a parameter set: one tensor per
 * trainable parameter, of its shape, named {@value #PREFIX}{@code <parameter name>}, beside the model's own. The
 * wire, the coordinator and the round loop carry them as any other tensor (and count them in the bytes); what
 * they mean depends on the hop:
 * <ul>
 * <li>coordinator → site: the server variate {@code c};
 * <li>site → its trainer: the correction {@code c − c_i} that the trainer adds to every local gradient;
 * <li>trainer → site: the update's mean gradient {@code (x − y_i)/(K·η)} ({@code K} local steps, learning rate
 * {@code η}), from which the site computes its new variate (option II of the paper);
 * <li>site → coordinator: the change {@code Δc_i} of the site's variate.
 * </ul>
 * A parameter set without such tensors is a plain model: every other strategy and trainer is unaffected.
 */
public final class ControlVariates {

    /** Name prefix of the variate tensors. */
    public static final String PREFIX = "scaffold.c/";

    private ControlVariates() {
    }

    /** Whether {@code name} names a variate tensor. */
    public static boolean isVariate(String name) {
        return name.startsWith(PREFIX);
    }

    /** Whether the set carries variates. */
    public static boolean present(ParameterSet p) {
        return p.names().stream().anyMatch(ControlVariates::isVariate);
    }

    /** The model's own tensors: the set without its variates. */
    public static ParameterSet model(ParameterSet p) {
        return p.select(n -> !isVariate(n));
    }

    /** The variates of the set, named after their parameters (prefix removed). */
    public static ParameterSet variates(ParameterSet p) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : p.tensors()) {
            if (isVariate(t.name())) {
                b.add(t.renamed(t.name().substring(PREFIX.length())));
            }
        }
        return b.build();
    }

    /**
     * The model followed by the variates under their prefixed names.
     *
     * @throws IllegalArgumentException when the variates do not have exactly the model's names and shapes
     */
    public static ParameterSet with(ParameterSet model, ParameterSet variates) {
        requireSameLayout(model, variates, "the control variates");
        ParameterSet.Builder b = ParameterSet.builder();
        model.tensors().forEach(b::add);
        for (Tensor t : variates.tensors()) {
            b.add(t.renamed(PREFIX + t.name()));
        }
        return b.build();
    }

    /** Zeros in the layout of {@code model}. */
    public static ParameterSet zerosLike(ParameterSet model) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : model.tensors()) {
            b.add(Tensor.zeros(t.name(), t.shape()));
        }
        return b.build();
    }

    /**
     * {@code ka·a + kb·b}, element by element (in double, stored as float), in the layout of {@code a}.
     *
     * @throws IllegalArgumentException when {@code b}'s layout differs
     */
    public static ParameterSet combine(ParameterSet a, double ka, ParameterSet b, double kb) {
        requireSameLayout(a, b, "the tensors combined with them");
        ParameterSet.Builder out = ParameterSet.builder();
        for (Tensor t : a.tensors()) {
            float[] x = t.values();
            float[] y = b.get(t.name()).values();
            float[] z = new float[x.length];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) (ka * x[k] + kb * y[k]);
            }
            out.add(t.name(), t.shape(), z);
        }
        return out.build();
    }

    /**
     * The mean gradient of a round of local training, {@code (start − trained)/(steps·learningRate)}: SCAFFOLD's
     * option II estimate of the site's gradient, exact for plain SGD.
     */
    public static ParameterSet meanGradient(ParameterSet start, ParameterSet trained, int steps,
            double learningRate) {
        if (steps <= 0 || !(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the mean gradient needs steps > 0 and a finite learning rate > 0, got "
                    + steps + " steps at " + learningRate);
        }
        double k = 1.0 / (steps * learningRate);
        return combine(start, k, trained, -k);
    }

    private static void requireSameLayout(ParameterSet expected, ParameterSet actual, String what) {
        List<String> diffs = expected.layoutDifferences(actual);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException(what + " do not match the model's parameters (" + diffs.size()
                    + " differences: " + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
                    + (diffs.size() > 3 ? "; ..." : "") + ")");
        }
    }
}
