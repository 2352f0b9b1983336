package org.fedfms.site.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.wire.DeltaCoding;
import org.fedfms.wire.ParameterDigest;
import org.fedfms.wire.ResidualFile;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.protocol.DeltaTransfer;
import org.fedfms.wire.protocol.TaskMessage;

/**
 * A site agent's side of an experiment's {@link TransferEncoding}, with the codec the in-process simulation uses
 * ({@link DeltaCoding}): the global the site holds, per experiment, in memory (the base of delta downloads and of
 * its delta updates; a restarted agent holds none and downloads in full), and its error-feedback residual, kept
 * on disk ({@link ResidualFile}, one owner-only file per experiment) once an update it went with was accepted, so
 * that a restarted agent continues from it.
 */
public final class SiteCoding {

    /**
     * An update as it travels.
     *
     * @param parameters what is sent: the update, or its delta (plus the residual) when {@code base} is set
     * @param base the digest of the global the delta is against, or {@code null} for a full update
     * @param coding how the values are coded
     * @param residual what the coding left out, to keep once the update is accepted ({@code null}: none)
     */
    public record Upload(ParameterSet parameters, String base, TensorCoding coding, ParameterSet residual) {
    }

    private record Held(ParameterSet parameters, String digest) {
    }

    private static final System.Logger LOG = System.getLogger(SiteCoding.class.getName());

    private final Path directory;
    private final String siteId;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, ResidualFile.Saved> residuals = new ConcurrentHashMap<>();

    /** Coding for {@code siteId}, its residuals in {@code directory}. */
    public SiteCoding(Path directory, String siteId) {
        this.directory = directory;
        this.siteId = siteId;
    }

    /** The residuals' folder of a site: beside its starting states. */
    public static Path defaultDirectory(String siteId) {
        return StartingStates.defaultDirectory(siteId).resolveSibling("residuals");
    }

    /** The query of the task's parameters download: names the global the site holds when a delta may come. */
    public String parametersQuery(TaskMessage task) {
        Held h = held.get(task.experiment());
        return h != null && task.transferEncoding().deltaDown() ? "?" + DeltaTransfer.HOLDS_QUERY + "=" + h.digest()
                : "";
    }

    /**
     * The parameters of a task as the site uses them: {@code decoded} itself, or added to the global the site
     * holds when the coordinator sent a delta against it ({@code base}); held as the next base.
     *
     * @throws IllegalStateException when the delta is against a global the site does not hold
     */
    public ParameterSet received(TaskMessage task, ParameterSet decoded, String base) {
        TransferEncoding encoding = task.transferEncoding();
        if (base == null && encoding.equals(TransferEncoding.FP32)) {
            return decoded;
        }
        ParameterSet result = decoded;
        if (base != null) {
            Held h = held.get(task.experiment());
            if (h == null || !h.digest().equals(base)) {
                throw new IllegalStateException("the coordinator sent the parameters of experiment '"
                        + task.experiment() + "', round " + task.round() + " as a delta against a global with digest "
                        + base + ", but site " + siteId + " holds " + (h == null ? "none" : h.digest()));
            }
            result = DeltaCoding.apply(h.parameters(), decoded);
        }
        held.put(task.experiment(), new Held(result, ParameterDigest.sha256(result)));
        return result;
    }

    /**
     * The update to send for {@code update}, trained from the global the site holds: a delta with the residual
     * added when the encoding codes updates lossily, else the update itself.
     *
     * @throws IOException when the residual on disk cannot be read
     */
    public Upload upload(TaskMessage task, ParameterSet update) throws IOException {
        TransferEncoding encoding = task.transferEncoding();
        Held h = held.get(task.experiment());
        if (!encoding.deltaUp() || h == null) {
            return new Upload(update, null, encoding.up(), null);
        }
        ParameterSet residual = residual(task, update);
        DeltaCoding.Step step = DeltaCoding.step(update, h.parameters(), residual, t -> encoding.up());
        return new Upload(step.toSend(), h.digest(), encoding.up(), step.residual());
    }

    /** The coordinator accepted {@code upload}: its residual is kept, on disk first. */
    public void accepted(TaskMessage task, Upload upload) throws IOException {
        if (upload.residual() == null) {
            return;
        }
        ResidualFile.write(file(task.experiment()), task.experiment(), siteId, task.round(), upload.residual());
        residuals.put(task.experiment(), new ResidualFile.Saved(task.round(), upload.residual()));
    }

    /** The residual to add to the update of {@code task}: none when of this round or later, or of another layout. */
    private ParameterSet residual(TaskMessage task, ParameterSet update) throws IOException {
        ResidualFile.Saved saved = residuals.get(task.experiment());
        if (saved == null) {
            saved = ResidualFile.read(file(task.experiment()), task.experiment(), siteId);
            if (saved == null) {
                return null;
            }
            residuals.put(task.experiment(), saved);
            LOG.log(System.Logger.Level.INFO, "site " + siteId + ": continues experiment " + task.experiment()
                    + " with the error-feedback residual of round " + saved.round());
        }
        if (saved.round() >= task.round() || !saved.residual().layoutDifferences(update).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "site " + siteId + ": the error-feedback residual of experiment "
                    + task.experiment() + " (round " + saved.round() + ") does not belong to round " + task.round()
                    + " (an earlier run, or another layout); it is left out");
            return null;
        }
        return saved.residual();
    }

    /** The experiment's residual file, named by a hash (no name a coordinator sends becomes a path). */
    private Path file(String experiment) {
        return directory.resolve(ResidualFile.fileName(experiment));
    }
}
