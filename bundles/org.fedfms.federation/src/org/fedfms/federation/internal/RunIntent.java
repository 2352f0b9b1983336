package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import com.google.gson.JsonParseException;
import org.fedfms.api.io.AtomicFiles;

/**
 * The background run an experiment is in, kept in {@value #FILE} of its directory while the run goes on:
 * the round it runs to. The run removes it when it ends; a process that dies, or a federation service that
 * stops, leaves it, and the next service goes on with that run by itself.
 */
final class RunIntent {

    /** The file in the experiment directory. */
    static final String FILE = "run.json";

    private static final System.Logger LOG = System.getLogger(RunIntent.class.getName());

    private record Content(int untilRound) {
    }

    private RunIntent() {
    }

    /** Records, atomically, that a run to {@code untilRound} is in progress. */
    static void write(Path experimentDir, int untilRound) throws IOException {
        String json = Json.GSON.toJson(new Content(untilRound)) + "\n";
        AtomicFiles.write(experimentDir.resolve(FILE), json.getBytes(StandardCharsets.UTF_8));
    }

    /** The round the interrupted run was going to, or empty if no run was in progress. */
    static OptionalInt read(Path experimentDir) throws IOException {
        Path file = experimentDir.resolve(FILE);
        if (!Files.exists(file)) {
            return OptionalInt.empty();
        }
        Content c;
        try {
            c = Json.GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Content.class);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(file + ": unreadable: " + e.getMessage(), e);
        }
        if (c == null || c.untilRound() < 1) {
            throw new IOException(file + ": 'untilRound' must be a round number of at least 1, got "
                    + (c == null ? "an empty file" : c.untilRound()));
        }
        return OptionalInt.of(c.untilRound());
    }

    /** Removes the record of a run; nothing happens if there is none. */
    static void delete(Path experimentDir) throws IOException {
        if (Files.deleteIfExists(experimentDir.resolve(FILE))) {
            AtomicFiles.syncDirectory(experimentDir);
        }
    }

    /** {@link #write} for an experiment; a failure is logged (the run then does not go on after a restart). */
    static void writeLogged(Experiment e, int untilRound) {
        try {
            write(e.directory, untilRound);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": cannot write "
                    + e.directory.resolve(FILE) + " (" + x.getMessage() + "); if this process stops, the "
                    + "run does not go on by itself", x);
        }
    }

    /** {@link #delete} for an experiment; a failure is logged (the run may then go on after a restart). */
    static void deleteLogged(Experiment e) {
        try {
            delete(e.directory);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": cannot delete "
                    + e.directory.resolve(FILE) + " (" + x.getMessage() + "); after a restart the "
                    + "experiment may go on by itself", x);
        }
    }
}
