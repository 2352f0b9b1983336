package org.fedfms.federation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.fedfms.api.train.DeviceSpec;

/** The checks of an {@link ExperimentSpec} beyond its settings schema's ranges, each naming the component. */
final class ExperimentSpecProblems {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private ExperimentSpecProblems() {
    }

    /** Every problem of {@code spec}, each naming the component; empty if it is valid. */
    static List<String> of(ExperimentSpec spec) {
        List<String> problems = new ArrayList<>(ExperimentSpec.SCHEMA.validate(spec));
        if (!NAME.matcher(spec.name()).matches()) {
            problems.add("'name' = '" + spec.name()
                    + "' may hold only letters, digits, '.', '_' and '-', start with a letter"
                    + " or digit and be at most 100 characters long (it names the experiment's directory)");
        }
        requireText(problems, "model", spec.model());
        requireText(problems, "adapter", spec.adapter());
        requireText(problems, "trainer", spec.trainer());
        requireText(problems, "dataset", spec.dataset());
        requireText(problems, "strategy", spec.strategy());
        if (!(spec.schedule().learningRate() >= 0)) {
            problems.add("'learningRate' = " + spec.schedule().learningRate() + " must be positive (or 0 for the model variant's own)");
        }
        if (!(spec.participation().fractionPerRound() > 0)) {
            problems.add("'fractionPerRound' = " + spec.participation().fractionPerRound() + " must be positive (at most 1)");
        }
        if (!(spec.participation().roundDeadlineSeconds() > 0)) {
            problems.add("'roundDeadlineSeconds' = " + spec.participation().roundDeadlineSeconds() + " must be positive");
        }
        try {
            DeviceSpec.parse(spec.device());
        } catch (IllegalArgumentException e) {
            problems.add("'device' = '" + spec.device() + "' is not auto, cpu or gpu:N");
        }
        if (!spec.weights().isEmpty() && spec.trainerOptions().containsKey(ExperimentSpec.WEIGHTS_OPTION)) {
            problems.add("'weights' and 'trainerOptions.weights' both give the initial model: give it once, as 'weights'");
        }
        if (spec.protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT && spec.unseenSite().isBlank()) {
            problems.add("'unseenSite' must name the held-out site for protocol leave-one-site-out");
        }
        try {
            org.fedfms.wire.TransferEncoding.parse(spec.sharing().encoding());
        } catch (IllegalArgumentException e) {
            problems.add("'encoding': " + e.getMessage());
        }
        problems.addAll(org.fedfms.federation.internal.SecureRound.problems(spec));
        problems.addAll(org.fedfms.federation.internal.ClientDpRounds.problems(spec));
        if (!spec.sharing().localParameters().isEmpty() && !spec.protocol().aggregates()) {
            problems.add("'localParameters' = '" + spec.sharing().localParameters() + "' keeps parameters at each site of a "
                    + "federated or leave-one-site-out experiment; protocol " + spec.protocol().id() + " shares none");
        }
        requireValues(problems, "datasetSettings", spec.datasetSettings());
        requireValues(problems, "strategySettings", spec.strategySettings());
        requireValues(problems, "trainerOptions", spec.trainerOptions());
        return problems;
    }

    private static void requireText(List<String> problems, String key, String value) {
        if (value.isBlank()) {
            problems.add("'" + key + "' must not be blank");
        }
    }

    private static void requireValues(List<String> problems, String key, Map<String, Object> map) {
        map.forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                problems.add("'" + key + "' holds a blank key");
            } else if (v == null) {
                problems.add("'" + key + "." + k + "' has no value");
            }
        });
    }
}
