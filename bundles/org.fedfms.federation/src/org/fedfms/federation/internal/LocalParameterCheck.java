package org.fedfms.federation.internal;

import java.util.List;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationException;

/**
 * Checks an experiment's {@code localParameters} against its model's trainable parameters: when it is created
 * (if its trainer factory can name them) and again when its initial model is first built.
 */
final class LocalParameterCheck {

    private LocalParameterCheck() {
    }

    /** Refuses patterns that match no trainable parameter, or every one of them. */
    static void atCreation(ExperimentSpec spec, SiteTrainerFactory factory) {
        LocalParameters kept = LocalParameters.parse(spec.sharing().localParameters());
        if (kept.isEmpty()) {
            return;
        }
        factory.trainableParameterNames(spec.trainerSpec()).ifPresent(names -> {
            List<String> problems = kept.problems(names);
            if (!problems.isEmpty()) {
                throw new FederationException(message(spec, problems));
            }
        });
    }

    /** The same check on the initial model; {@code null} if it passes, else what is wrong. */
    static String problems(ExperimentSpec spec, ParameterSet initial) {
        LocalParameters kept = LocalParameters.parse(spec.sharing().localParameters());
        List<String> problems = kept.problems(initial.names());
        return problems.isEmpty() ? null : message(spec, problems);
    }

    private static String message(ExperimentSpec spec, List<String> problems) {
        return "experiment '" + spec.name() + "': 'localParameters' for model " + spec.model() + " with adapter "
                + spec.adapter() + ": " + String.join("; ", problems);
    }
}
