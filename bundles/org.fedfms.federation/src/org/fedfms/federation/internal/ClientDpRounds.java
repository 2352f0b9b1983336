package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.unchanged;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.privacy.ClientDp;
import org.fedfms.privacy.PrivacySpent;
import org.fedfms.privacy.RdpAccountant;

/**
 * The coordinator's side of client-side differential privacy
 * ({@link org.fedfms.federation.UpdateSharing#clientDp()}): it asks each chosen site for it through the fit instruction
 * {@value ClientDp#INSTRUCTION} (the site clips and noises, see {@code ClientDpMechanism}), accounts each round as
 * one step of the sampled Gaussian mechanism with sampling rate q = chosen sites / sites with training samples,
 * records ε at δ and that q with the round's evaluation metrics ({@code dp_epsilon}, {@code dp_delta}, {@code dp_q},
 * so that every face shows them and a resumed run composes from its history), and stops before a round that would
 * exceed the budget.
 *
 * <p>Fixed-size site selection is accounted as Poisson sampling at the same rate, as TensorFlow Privacy and
 * Opacus do for batches. The ε bounds what the global models reveal about one site's data; the coordinator,
 * which sees each upload, learns about a site that took part in k rounds no more than the Gaussian mechanism
 * with multiplier σ composed k times (no amplification by sampling).
 */
public final class ClientDpRounds {

    private static final String EPSILON = ClientDp.EPSILON_METRIC;
    private static final String SAMPLING_RATE = ClientDp.SAMPLING_RATE_METRIC;

    private ClientDpRounds() {
    }

    /** The spec's problems with its {@code clientDp} component, each naming it; empty when it is valid or off. */
    public static List<String> problems(ExperimentSpec spec) {
        if (spec.sharing().clientDp().isEmpty()) {
            return List.of();
        }
        try {
            ClientDp.parse(spec.sharing().clientDp());
        } catch (IllegalArgumentException e) {
            return List.of("'clientDp': " + e.getMessage());
        }
        if (!spec.protocol().aggregates()) {
            return List.of("'clientDp' protects the updates that sites send for aggregation; protocol "
                    + spec.protocol().id() + " sends none: use federated or leave-one-site-out, or leave clientDp "
                    + "empty");
        }
        return List.of();
    }

    /** The site's instructions with client DP asked for, if the spec sets it. */
    static FitInstructions instruct(ExperimentSpec spec, FitInstructions instructions) {
        if (spec.sharing().clientDp().isEmpty()) {
            return instructions;
        }
        Map<String, Object> values = new LinkedHashMap<>(instructions.values());
        values.put(ClientDp.INSTRUCTION, ClientDp.parse(spec.sharing().clientDp()).text());
        return new FitInstructions(values);
    }

    /** The sampling rate of a round that chose {@code chosen} of the setup's sites with training samples. */
    static double samplingRate(SiteSetup setup, List<SiteSlot> chosen) {
        long candidates = setup.training().stream().filter(s -> s.info().trainSamples() > 0).count();
        return candidates <= 0 ? 1.0 : Math.min(1.0, (double) chosen.size() / candidates);
    }

    /** ε at δ after the rounds of {@code history} and one more round at rate {@code q}. */
    static PrivacySpent spentAfter(ClientDp dp, List<RoundResult> history, double q) {
        Map<Double, Long> steps = new LinkedHashMap<>();
        for (RoundResult r : history) {
            r.evaluationMetrics().get(SAMPLING_RATE).ifPresent(rate -> steps.merge(rate, 1L, Long::sum));
        }
        steps.merge(q, 1L, Long::sum);
        RdpAccountant accountant = RdpAccountant.create();
        for (Map.Entry<Double, Long> s : steps.entrySet()) {
            accountant = accountant.compose(s.getKey(), dp.noise(), s.getValue());
        }
        return accountant.spent(dp.delta());
    }

    /**
     * Pauses the experiment before round {@code round} if that round would bring ε above the budget.
     *
     * @throws RoundAbort naming ε so far, ε after the round and the budget
     */
    static void requireBudget(Experiment e, ExperimentSpec spec, int round, double q) {
        if (spec.sharing().clientDp().isEmpty()) {
            return;
        }
        ClientDp dp = ClientDp.parse(spec.sharing().clientDp());
        if (!dp.hasBudget()) {
            return;
        }
        List<RoundResult> history = e.progress().history();
        double next = spentAfter(dp, history, q).epsilon();
        if (next > dp.budget()) {
            String sofar = history.isEmpty() ? "nothing spent yet" : "epsilon " + format(history
                    .get(history.size() - 1).evaluationMetrics().get(EPSILON).orElse(Double.NaN)) + " so far";
            throw RoundAbort.pause(where(e, round) + " was not started: the privacy budget is spent. It would bring "
                    + "client DP to epsilon " + format(next) + " at delta " + dp.delta() + ", above the budget "
                    + format(dp.budget()) + " (" + sofar + "). " + unchanged(round)
                    + " No further round fits this budget; its models and history are kept.");
        }
    }

    /** The round's evaluation metrics with ε after it and its sampling rate, if the spec sets client DP. */
    static Metrics withEpsilon(ExperimentSpec spec, List<RoundResult> history, double q, Metrics evaluation) {
        if (spec.sharing().clientDp().isEmpty()) {
            return evaluation;
        }
        ClientDp dp = ClientDp.parse(spec.sharing().clientDp());
        return evaluation.with(EPSILON, spentAfter(dp, history, q).epsilon()).with(ClientDp.DELTA_METRIC, dp.delta())
                .with(SAMPLING_RATE, q);
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
