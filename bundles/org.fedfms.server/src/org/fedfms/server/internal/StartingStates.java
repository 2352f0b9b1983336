package org.fedfms.server.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.wire.ParameterDigest;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireLimits;
import org.fedfms.wire.WireMessage;

/**
 * The starting states of the experiments whose model starts from a weights file: the coordinator reads the file
 * (only the coordinator opens it), keeps its tensors (trainable and frozen alike) with their
 * {@link ParameterDigest}, and serves them to sites as one wire message, encoded once, within the wire limits.
 * Sites get the digest with each task, a trainer spec without the path, and download the state when they hold
 * none of that digest. A state is held while its experiment runs: it is let go when the run ends (completed,
 * paused, failed: before the experiment can be removed) and when the experiment is replaced (same name, other
 * weights or none).
 */
final class StartingStates {

    private static final System.Logger LOG = System.getLogger(StartingStates.class.getName());

    /** An experiment's starting state. */
    record State(String digest, ParameterSet parameters) {
    }

    private final Map<String, State> byExperiment = new ConcurrentHashMap<>();
    private final SharedDownloads downloads = new SharedDownloads(WireEncoder.fp32());
    private final WireLimits limits;

    StartingStates(WireLimits limits) {
        this.limits = limits;
    }

    /**
     * The starting state of the experiment, read on first use, or {@code null} for random initialisation.
     *
     * @throws IllegalStateException naming the experiment and file when it cannot be read or exceeds the limits
     */
    State of(ExperimentSpec spec) {
        String weights = spec.initialWeights();
        if (weights.isEmpty()) {
            forget(spec.name());
            return null;
        }
        Path file = Path.of(weights);
        String version;
        try {
            version = java.nio.file.Files.size(file) + "@" + java.nio.file.Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new IllegalStateException("experiment '" + spec.name() + "': its initial weights " + file
                    + " cannot be read at the coordinator: " + e, e);
        }
        // a file replaced since (an experiment of the same name created again) is read again
        String key = spec.name() + "\n" + weights + "\n" + version;
        State known = byExperiment.get(key);
        if (known != null) {
            return known;
        }
        forget(spec.name());
        return byExperiment.computeIfAbsent(key, k -> read(spec.name(), file));
    }

    /** Lets go of the experiment's state and its encoded message. */
    void forget(String experiment) {
        byExperiment.keySet().removeIf(key -> key.startsWith(experiment + "\n"));
        downloads.forget(experiment);
    }

    /** How many experiments' states are held. */
    int held() {
        return byExperiment.size();
    }

    /** The digest sites receive with a task of this experiment; empty for random initialisation. */
    String digest(ExperimentSpec spec) {
        State s = of(spec);
        return s == null ? "" : s.digest();
    }

    /** The trainer spec a site receives: the experiment's, without the path of its weights file. */
    static TrainerSpec forSites(ExperimentSpec spec) {
        TrainerSpec ts = spec.trainerSpec();
        if (!ts.options().containsKey(ExperimentSpec.WEIGHTS_OPTION)) {
            return ts;
        }
        Map<String, Object> options = new HashMap<>(ts.options());
        options.remove(ExperimentSpec.WEIGHTS_OPTION);
        return new TrainerSpec(ts.model(), ts.adapter(), ts.device(), ts.localEpochs(), ts.batchSize(),
                ts.learningRate(), ts.seed(), options);
    }

    /** The state as the wire message sites download, encoded once per experiment. */
    SharedDownloads.Encoded encoded(String experiment, State state) {
        return downloads.get(experiment, 0, state.parameters());
    }

    private State read(String experiment, Path file) {
        ParameterSet p;
        try {
            p = ParameterFiles.read(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("experiment '" + experiment + "': its initial weights " + file
                    + " cannot be read at the coordinator: " + e.getMessage(), e);
        }
        long bytes = WireEncoder.fp32().encodedSize(WireMessage.global(experiment, 0, "", p));
        if (p.tensorCount() > limits.maxTensors() || p.parameterCount() > limits.maxTotalElements()
                || bytes > limits.maxMessageBytes()) {
            throw new IllegalStateException("experiment '" + experiment + "': its initial weights " + file + " ("
                    + p.tensorCount() + " tensors, " + p.parameterCount() + " values, " + bytes + " bytes as a "
                    + "message) exceed the wire limits (" + limits.maxTensors() + " tensors, "
                    + limits.maxTotalElements() + " values, " + limits.maxMessageBytes() + " bytes)");
        }
        String digest = ParameterDigest.sha256(p);
        LOG.log(System.Logger.Level.INFO, "experiment " + LogText.of(experiment) + ": starting state read from "
                + file.getFileName() + " (" + p.tensorCount() + " tensors, " + p.parameterCount()
                + " parameters, digest " + digest.substring(0, 12) + ")");
        return new State(digest, p);
    }
}
