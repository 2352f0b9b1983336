package org.fedfms.api.strategy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.io.AtomicFiles;

/**
 * What a site keeps of its own between rounds, one tensor set per round (SCAFFOLD's variate {@code c_i}, Ditto's
 * personal model): files {@code <kind>-<round>.bin} in one folder, written atomically and readable by the owner
 * only; the two latest are kept. A round reads the set saved by the latest round before it, so a round repeated
 * after a checkpoint resume (or an agent restart) starts from the same state as the first time.
 *
 * <p>File format: magic {@code FFSS}, version 1, round, tensor count, then per tensor its name (UTF), rank,
 * dimensions and fp32 values, big-endian; a CRC-32 of everything before it at the end.
 */
public final class SiteStateStore {

    private static final int MAGIC = 0x46465353;
    private static final int VERSION = 1;
    private static final int MAX_TENSORS = 1 << 20;
    private static final int MAX_RANK = 16;
    private static final int KEPT = 2;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Path directory;
    private final String kind;
    private final Pattern fileName;

    /**
     * @param directory the folder (created owner-only when first written)
     * @param kind what is kept, a file name stem such as {@code variate} or {@code personal}
     */
    public SiteStateStore(Path directory, String kind) {
        if (!SAFE.matcher(kind).matches()) {
            throw new IllegalArgumentException("kind '" + kind + "' is not a plain file name stem");
        }
        this.directory = directory;
        this.kind = kind;
        this.fileName = Pattern.compile(Pattern.quote(kind) + "-(\\d{1,9})\\.bin");
    }

    /** A set saved by one round. */
    public record Saved(int round, ParameterSet tensors) {
    }

    /**
     * {@code name} as one folder name: itself when it is a plain name ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most
     * 100 characters), else its plain characters followed by a hash of the whole name, so that no name sent by
     * another party can leave the folder it is resolved in.
     */
    public static String folderName(String name) {
        if (SAFE.matcher(name).matches() && !name.contains("..")) {
            return name;
        }
        String plain = name.replaceAll("[^A-Za-z0-9._-]", "_").replace("..", "__");
        plain = plain.substring(0, Math.min(60, plain.length()));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return "x" + plain + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The folder. */
    public Path directory() {
        return directory;
    }

    /**
     * The set saved by the latest round before {@code round}, if any.
     *
     * @throws IOException naming the file when it cannot be read or is damaged
     */
    public Optional<Saved> before(int round) throws IOException {
        Optional<Path> latest = files().stream().filter(f -> roundOf(f) < round)
                .max(Comparator.comparingInt(this::roundOf));
        return latest.isEmpty() ? Optional.empty() : Optional.of(read(latest.get()));
    }

    /** Saves the set of {@code round}, atomically, owner-only, and removes all but the latest two. */
    public void save(int round, ParameterSet tensors) throws IOException {
        Files.createDirectories(directory);
        ownerOnly(directory, "rwx------");
        Path f = directory.resolve(String.format("%s-%06d.bin", kind, round));
        AtomicFiles.write(f, encode(round, tensors));
        ownerOnly(f, "rw-------");
        List<Path> all = files();
        all.sort(Comparator.comparingInt(this::roundOf).reversed());
        for (Path old : all.subList(Math.min(KEPT, all.size()), all.size())) {
            Files.deleteIfExists(old);
        }
    }

    private List<Path> files() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                if (fileName.matcher(p.getFileName().toString()).matches()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private int roundOf(Path f) {
        Matcher m = fileName.matcher(f.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static byte[] encode(int round, ParameterSet tensors) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(round);
        out.writeInt(tensors.tensorCount());
        for (var t : tensors.tensors()) {
            out.writeUTF(t.name());
            out.writeInt(t.rank());
            for (int d : t.shape()) {
                out.writeInt(d);
            }
            ByteBuffer b = ByteBuffer.allocate(t.size() * Float.BYTES);
            b.asFloatBuffer().put(t.values());
            out.write(b.array());
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    private Saved read(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        if (all.length < 24) {
            throw damaged(f, "it is " + all.length + " bytes long");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - Long.BYTES);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - Long.BYTES, Long.BYTES).getLong()) {
            throw damaged(f, "its checksum does not match");
        }
        try (InputStream raw = new java.io.ByteArrayInputStream(all, 0, all.length - Long.BYTES);
                DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw damaged(f, "it is not a version " + VERSION + " site state file");
            }
            int round = in.readInt();
            if (round != roundOf(f)) {
                throw damaged(f, "it holds round " + round + ", its name says round " + roundOf(f));
            }
            int count = in.readInt();
            if (count < 0 || count > MAX_TENSORS) {
                throw damaged(f, "tensor count " + count);
            }
            ParameterSet.Builder b = ParameterSet.builder();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > MAX_RANK) {
                    throw damaged(f, "tensor '" + name + "' has rank " + rank);
                }
                int[] shape = new int[rank];
                long n = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readInt();
                    n *= Math.max(0, shape[d]);
                    if (shape[d] < 0 || n * Float.BYTES > in.available()) {
                        throw damaged(f, "tensor '" + name + "' has shape beyond the file's size");
                    }
                }
                byte[] raw2 = new byte[(int) n * Float.BYTES];
                in.readFully(raw2);
                float[] v = new float[(int) n];
                ByteBuffer.wrap(raw2).asFloatBuffer().get(v);
                b.add(name, shape, v);
            }
            if (in.available() != 0) {
                throw damaged(f, in.available() + " bytes follow the last tensor");
            }
            return new Saved(round, b.build());
        } catch (EOFException | IllegalArgumentException e) {
            throw damaged(f, "it ends early or holds an invalid tensor (" + e.getMessage() + ")");
        }
    }

    private static IOException damaged(Path f, String why) {
        return new IOException("site state file " + f + " is damaged: " + why + "; remove it to start that state "
                + "afresh");
    }

    private static void ownerOnly(Path p, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: the folder's own protection applies
        }
    }
}
