package org.fedfms.site.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.wire.ParameterDigest;

/**
 * The starting states a site holds: the base models (trainable and frozen tensors) its coordinator sent for its
 * experiments, each checked against the digest its tasks announce and kept, owner-only, in a folder of the site's
 * own choosing ({@code <state dir>/<digest>.safetensors}), so a restarted agent downloads a state again only when
 * it holds none of that digest. The site's trainer reads its own copy; no path of the coordinator is opened.
 */
final class StartingStates {

    /** Downloads the starting state of the task at hand. */
    @FunctionalInterface
    interface Download {
        ParameterSet get() throws IOException, InterruptedException;
    }

    private static final System.Logger LOG = System.getLogger(StartingStates.class.getName());
    /** Trainer option that names the base weights file, set here to the site's own copy. */
    static final String WEIGHTS_OPTION = "weights";

    private final Path directory;
    private final String siteId;
    private final Map<String, Path> held = new ConcurrentHashMap<>();

    StartingStates(Path directory, String siteId) {
        this.directory = directory;
        this.siteId = siteId;
    }

    /**
     * The trainer spec of a task as the coordinator sent it, refused if an option names a file (whoever sent it,
     * the site never opens a path chosen by the coordinator).
     */
    static TrainerSpec refusePaths(TrainerSpec spec, String experiment, String siteId) {
        Object value = spec.options().get(WEIGHTS_OPTION);
        if (value != null && !value.toString().isBlank()) {
            throw new IllegalArgumentException("experiment '" + experiment + "' sets trainer option '"
                    + WEIGHTS_OPTION + "' (a file path): site " + siteId + " never opens a path chosen by the "
                    + "coordinator; the coordinator sends the initial weights as parameters (its starting state)");
        }
        return spec;
    }

    /** The folder of a site agent's starting states: {@code <fedfms.workdir or ~/.fedfms>/site-<id>/starting-states}. */
    static Path defaultDirectory(String siteId) {
        String workdir = System.getProperty("fedfms.workdir");
        Path base = workdir != null ? Path.of(workdir) : Path.of(System.getProperty("user.home"), ".fedfms");
        return base.resolve("site-" + siteId).resolve("starting-states");
    }

    /**
     * The trainer spec with the base weights of the starting state {@code digest}: the site's own copy, checked,
     * downloaded first if the site holds none.
     *
     * @throws IllegalStateException when the downloaded state does not match the digest (nothing is kept)
     */
    TrainerSpec withStartingState(TrainerSpec spec, String experiment, String digest, Download download)
            throws IOException, InterruptedException {
        Map<String, Object> options = new HashMap<>(spec.options());
        options.put(WEIGHTS_OPTION, file(experiment, digest, download).toString());
        return new TrainerSpec(spec.model(), spec.adapter(), spec.device(), spec.localEpochs(), spec.batchSize(),
                spec.learningRate(), spec.seed(), options);
    }

    private Path file(String experiment, String digest, Download download) throws IOException, InterruptedException {
        Path f = directory.resolve(digest + ".safetensors");
        if (f.equals(held.get(digest)) && Files.isRegularFile(f)) {
            return f;
        }
        if (Files.isRegularFile(f)) {
            String kept = ParameterDigest.sha256(ParameterFiles.read(f));
            if (kept.equals(digest)) {
                held.put(digest, f);
                LOG.log(System.Logger.Level.INFO, "site " + siteId + ": starting state of experiment " + experiment
                        + " held already (" + f + ")");
                return f;
            }
            LOG.log(System.Logger.Level.WARNING, "site " + siteId + ": " + f + " no longer matches its digest; "
                    + "downloading the starting state again");
        }
        ParameterSet state = download.get();
        String received = ParameterDigest.sha256(state);
        if (!received.equals(digest)) {
            throw new IllegalStateException("site " + siteId + " refused the starting state of experiment '"
                    + experiment + "': its content has sha256 " + received + ", not the " + digest + " its task "
                    + "announced; nothing was kept and the site does not train from it");
        }
        Files.createDirectories(directory);
        ownerOnly(directory, "rwx------");
        ParameterFiles.write(f, state, ParameterFiles.Format.SAFETENSORS);
        ownerOnly(f, "rw-------");
        held.put(digest, f);
        LOG.log(System.Logger.Level.INFO, "site " + siteId + ": kept the starting state of experiment " + experiment
                + " (" + state.tensorCount() + " tensors, " + state.parameterCount() + " parameters) in " + f);
        return f;
    }

    private static void ownerOnly(Path p, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: the folder's own protection applies
        }
    }
}
