package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.fedfms.federation.ExperimentNotFoundException;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.StartingPoint;

/**
 * The experiments by name, each with its directory under the experiments directory: listed again from
 * their checkpoints (or spec) at start, created, looked up and removed.
 */
final class ExperimentCatalogue {

    private static final System.Logger LOG = System.getLogger(ExperimentCatalogue.class.getName());

    private final Map<String, Experiment> experiments = new ConcurrentHashMap<>();
    private final Path base;

    ExperimentCatalogue(Path base) {
        this.base = base;
    }

    /** Directory holding one sub-directory per experiment. */
    Path base() {
        return base;
    }

    /** Lists the experiments found in the experiments directory, handing each to {@code restored} first. */
    void restoreAll(Consumer<Experiment> restored) {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, Files::isDirectory)) {
            for (Path dir : dirs) {
                restore(dir).ifPresent(e -> {
                    e.setStartingPoint(recordedStartingPoint(e));
                    restored.accept(e);
                    experiments.put(e.name, e);
                });
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the experiments in " + base, e);
        }
    }

    /**
     * The starting point recorded at creation; for an experiment created before records were kept, the one its
     * weights file gives now (written down, so it is read once).
     */
    private static StartingPoint recordedStartingPoint(Experiment e) {
        String weights = e.progress().spec().initialWeights();
        try {
            Optional<StartingPoint> recorded = StartingPoint.recorded(e.directory);
            if (recorded.isPresent()) {
                return recorded.get();
            }
            StartingPoint now = StartingPoint.of(weights);
            now.record(e.directory);
            return now;
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": its starting point is not known: "
                    + x.getMessage());
            return new StartingPoint(Path.of(weights).getFileName().toString(), "unknown", "unknown");
        }
    }

    private static Optional<Experiment> restore(Path dir) {
        String name = dir.getFileName().toString();
        CheckpointStore store = new CheckpointStore(dir);
        Optional<CheckpointStore.Saved> saved = store.latest();
        List<String> skipped = store.skipped();
        skipped.forEach(s -> LOG.log(System.Logger.Level.WARNING, "experiment " + name + ": skipped checkpoint " + s));
        if (saved.isPresent()) {
            if (!saved.get().spec().name().equals(name)) {
                LOG.log(System.Logger.Level.WARNING, dir + " holds experiment '" + saved.get().spec().name()
                        + "'; it is not listed (rename the directory to that name)");
                return Optional.empty();
            }
            return Optional.of(Experiment.restored(saved.get(), dir));
        }
        Path specFile = dir.resolve("spec.json");
        if (!Files.exists(specFile)) {
            return Optional.empty();
        }
        ExperimentSpec spec;
        try {
            spec = ExperimentSpecJson.read(specFile);
        } catch (IOException | RuntimeException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment in " + dir + " is not listed: " + x.getMessage());
            return Optional.empty();
        }
        if (!spec.name().equals(name)) {
            LOG.log(System.Logger.Level.WARNING, specFile + " names experiment '" + spec.name()
                    + "'; it is not listed (rename the directory to that name)");
            return Optional.empty();
        }
        Experiment e = new Experiment(spec, dir, State.READY);
        if (!skipped.isEmpty()) {
            e.setState(State.FAILED, "no readable checkpoint (" + String.join("; ", skipped) + "); resuming "
                    + "starts again from round 1 — delete the broken round directories to confirm");
        }
        return Optional.of(e);
    }

    /**
     * Adds a new experiment of a valid spec and writes the spec to its directory.
     *
     * @param opened the strategy session its first round starts with, or {@code null}
     */
    Experiment create(ExperimentSpec spec, Experiment.PendingSwap opened) {
        String name = spec.name();
        Path dir = base.resolve(name);
        StartingPoint start;
        try {
            start = StartingPoint.of(spec.initialWeights());
        } catch (IOException x) {
            throw new FederationException("experiment '" + name + "': " + x.getMessage() + "; give an existing "
                    + "weights file, or none for random initialisation", x);
        }
        Experiment e = new Experiment(spec, dir, State.READY);
        e.setStartingPoint(start);
        if (opened != null) {
            e.swap(spec, opened);
        }
        if (experiments.putIfAbsent(name, e) != null) {
            throw new FederationException("an experiment named '" + name + "' exists already; remove it or choose "
                    + "another name");
        }
        try {
            if (Files.isDirectory(dir) && !isEmpty(dir)) {
                throw new FederationException("experiment '" + name + "': its directory " + dir + " exists and is not "
                        + "empty; delete it or choose another name");
            }
            ExperimentSpecJson.write(dir.resolve("spec.json"), spec);
            start.record(dir);
        } catch (IOException x) {
            experiments.remove(name, e);
            throw new FederationException("experiment '" + name + "': cannot write its spec and starting point in "
                    + dir + ": " + x.getMessage(), x);
        } catch (RuntimeException x) {
            experiments.remove(name, e);
            throw x;
        }
        return e;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }

    /**
     * The experiment of that name.
     *
     * @throws ExperimentNotFoundException if there is none
     */
    Experiment get(String name) {
        Experiment e = find(name);
        if (e == null) {
            throw new ExperimentNotFoundException(name, "no experiment '" + name + "' (experiments: "
                    + experiments.keySet().stream().sorted().toList() + ")");
        }
        return e;
    }

    /** The experiment of that name, or {@code null}. */
    Experiment find(String name) {
        return name == null ? null : experiments.get(name);
    }

    /** Every experiment. */
    Collection<Experiment> all() {
        return experiments.values();
    }

    /** Where every experiment stands, by name. */
    List<ExperimentStatus> statuses() {
        return experiments.values().stream().map(Experiment::status)
                .sorted(Comparator.comparing(ExperimentStatus::name)).toList();
    }

    /**
     * Removes an experiment that is not running, closing its sites.
     *
     * @return whether it existed
     */
    boolean remove(String name, boolean deleteFiles) {
        Experiment e = find(name);
        if (e == null) {
            return false;
        }
        e.clearAutoResume();
        if (e.active()) {
            throw new FederationException("experiment '" + name + "' is running; pause or cancel it first");
        }
        String owner = e.runLock.heldElsewhere();
        if (owner != null) {
            throw new FederationException("experiment '" + name + "' is not removed: it is running elsewhere (" + owner
                    + "); stop it there first");
        }
        e.roundLock.lock();
        try {
            experiments.remove(name, e);
            e.closeSetup();
        } finally {
            e.roundLock.unlock();
        }
        if (!deleteFiles) {
            RunIntent.deleteLogged(e);
        } else {
            try {
                CheckpointStore.deleteTree(e.directory);
            } catch (IOException x) {
                throw new FederationException("experiment '" + name + "' was removed but its directory " + e.directory
                        + " could not be deleted: " + x.getMessage(), x);
            }
        }
        return true;
    }
}
