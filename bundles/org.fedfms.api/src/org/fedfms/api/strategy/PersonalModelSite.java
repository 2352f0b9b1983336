package org.fedfms.api.strategy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * Ditto personalization (Li, Hu, Beirami and Smith, "Ditto: Fair and Robust Federated Learning Through
 * Personalization", ICML 2021) at one site: besides its usual update of the global model, the site trains a
 * personal model {@code v} of its own, from the one it kept last round (the global model at first), on the local
 * objective plus {@code λ/2·‖v − x‖²} towards the round's global model {@code x}. The personal model never leaves
 * the site; it is kept per round in a {@link SiteStateStore} (kind {@value #KIND}), so a repeated round starts
 * from the same one, and every evaluation of the site reports its scores beside the global model's, as
 * {@value #METRIC_PREFIX}{@code <metric>}.
 *
 * <p>Asked for with the trainer option {@value #OPTION} ({@code λ > 0}). The trainer is given the start {@code v}
 * with the anchor {@code x} as tensors {@value #ANCHOR_PREFIX}{@code <parameter>} and FedProx's {@code mu = λ}.
 */
public final class PersonalModelSite {

    /** The file name stem of the personal models in a site's state folder. */
    public static final String KIND = "personal";
    /** The trainer option with Ditto's λ. */
    public static final String OPTION = "dittoLambda";
    /** Name prefix of the proximal anchor tensors handed to the trainer. */
    public static final String ANCHOR_PREFIX = "ditto.anchor/";
    /** Prefix of the personal model's evaluation metrics. */
    public static final String METRIC_PREFIX = "personal_";

    /** One round of local training from a start, as instructed. */
    @FunctionalInterface
    public interface Training {
        FitResult fit(ParameterSet start, FitInstructions instructions) throws Exception;
    }

    /** One evaluation of the given parameters. */
    @FunctionalInterface
    public interface Evaluation {
        EvaluateResult evaluate(ParameterSet parameters) throws Exception;
    }

    private final String siteId;
    private final SiteStateStore store;
    private final double lambda;

    private PersonalModelSite(String siteId, SiteStateStore store, double lambda) {
        this.siteId = siteId;
        this.store = store;
        this.lambda = lambda;
    }

    /**
     * The site's Ditto, or null when the trainer options do not ask for it.
     *
     * @param directory the site's state folder for this experiment
     * @throws IllegalArgumentException when {@value #OPTION} is not a finite number ≥ 0
     */
    public static PersonalModelSite of(String siteId, Map<String, ?> trainerOptions, Path directory) {
        double lambda = lambda(trainerOptions);
        return lambda > 0 ? new PersonalModelSite(siteId, new SiteStateStore(directory, KIND), lambda) : null;
    }

    /** Ditto's λ in trainer options, 0 when absent. */
    public static double lambda(Map<String, ?> trainerOptions) {
        Object v = trainerOptions.get(OPTION);
        double lambda;
        try {
            lambda = v == null ? 0 : v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            lambda = Double.NaN;
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("trainer option " + OPTION + " must be a finite number >= 0 (0: no Ditto "
                    + "personal models), got '" + v + "'");
        }
        return lambda;
    }

    /** The start followed by the anchor under {@value #ANCHOR_PREFIX}. */
    public static ParameterSet withAnchor(ParameterSet start, ParameterSet anchor) {
        ParameterSet.Builder b = ParameterSet.builder();
        start.tensors().forEach(b::add);
        for (Tensor t : anchor.tensors()) {
            b.add(t.renamed(ANCHOR_PREFIX + t.name()));
        }
        return b.build();
    }

    /** The anchor tensors of a set, named after their parameters; empty when there are none. */
    public static ParameterSet anchor(ParameterSet p) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : p.tensors()) {
            if (t.name().startsWith(ANCHOR_PREFIX)) {
                b.add(t.renamed(t.name().substring(ANCHOR_PREFIX.length())));
            }
        }
        return b.build();
    }

    /** The set without its anchor tensors. */
    public static ParameterSet withoutAnchor(ParameterSet p) {
        return p.select(n -> !n.startsWith(ANCHOR_PREFIX));
    }

    /**
     * Trains the personal model of {@code round} towards the round's global model and keeps it.
     *
     * @param global what the site was sent (SCAFFOLD's variates, if any, are left out)
     */
    public void train(int round, ParameterSet global, Training training) throws Exception {
        ParameterSet x = ControlVariates.model(global);
        ParameterSet v = store.before(round).map(SiteStateStore.Saved::tensors).orElse(x);
        if (!x.layoutDifferences(v).isEmpty()) {
            throw new IllegalStateException("site '" + siteId + "', round " + round + ": the personal model kept in "
                    + store.directory() + " does not fit the global model; remove the folder to start it afresh");
        }
        FitResult r = training.fit(withAnchor(v, x), new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, lambda)));
        if (r.sampleCount() > 0) {
            store.save(round, withoutAnchor(r.parameters()));
        }
    }

    /**
     * The evaluation of the global model with the site's personal model's scores beside it, when the site has
     * trained one up to {@code round}.
     */
    public EvaluateResult evaluate(int round, EvaluateResult global, Evaluation evaluation) throws Exception {
        Optional<SiteStateStore.Saved> v = store.before(round + 1);
        if (v.isEmpty() || global.sampleCount() == 0) {
            return global;
        }
        EvaluateResult p = evaluation.evaluate(v.get().tensors());
        Map<String, Double> m = new LinkedHashMap<>(global.metrics().values());
        p.metrics().values().forEach((k, value) -> m.put(METRIC_PREFIX + k, value));
        return new EvaluateResult(global.siteId(), global.sampleCount(), new Metrics(m));
    }
}
