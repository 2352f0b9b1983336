package org.fedfms.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.io.AtomicFiles;

/**
 * The error-feedback residual of a site ({@link DeltaCoding}) kept on disk, so that a restarted site agent or a
 * resumed simulation continues with what it had not yet sent: one fp32 wire message (checksummed, bounded when
 * read) naming the experiment, the site and the round of the last update it went with. Written atomically
 * ({@link AtomicFiles}) in a folder readable by its owner only.
 */
public final class ResidualFile {

    /**
     * A residual read back.
     *
     * @param round the round of the update the residual was left by
     * @param residual what was not sent yet
     */
    public record Saved(int round, ParameterSet residual) {
    }

    private ResidualFile() {
    }

    /** The file name of the residual of {@code key} (an experiment's or a site's name): its SHA-256 in hex. */
    public static String fileName(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d) + ".residual";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the {@code residual} of {@code site} in {@code experiment} after {@code round}, atomically. */
    public static void write(Path file, String experiment, String site, int round, ParameterSet residual)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        ownerOnly(dir, "rwx------");
        WireMessage m = WireMessage.update(experiment, round, site, 0, Metrics.empty(), residual);
        AtomicFiles.writeStreamed(file, out -> WireEncoder.fp32().encode(m, out));
        ownerOnly(file, "rw-------");
    }

    /**
     * The residual in {@code file}, or {@code null} when there is none.
     *
     * @throws IOException naming the file when it is damaged or belongs to another experiment or site (delete it
     *     to start without a residual)
     */
    public static Saved read(Path file, String experiment, String site) throws IOException {
        WireMessage m;
        try (InputStream in = Files.newInputStream(file)) {
            m = WireDecoder.withDefaults().decode(in, HeaderCheck.messageBytes(Files.size(file)));
        } catch (NoSuchFileException none) {
            return null;
        } catch (IOException | RuntimeException e) {
            throw new IOException("the error-feedback residual " + file + " cannot be read: " + e.getMessage()
                    + "; delete it to go on without it (what it held is then lost)", e);
        }
        if (!m.experimentId().equals(experiment) || !m.siteId().equals(site)) {
            throw new IOException("the error-feedback residual " + file + " belongs to experiment '" + m.experimentId()
                    + "', site '" + m.siteId() + "', not to '" + experiment + "', '" + site + "'");
        }
        return new Saved(m.round(), m.parameters());
    }

    private static void ownerOnly(Path p, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: its own access control applies
        }
    }
}
