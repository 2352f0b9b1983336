package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;

/**
 * The checkpoints of one experiment, a directory per completed round:
 *
 * <pre>
 * &lt;experiment&gt;/spec.json                 the spec it was created with
 * &lt;experiment&gt;/run.json                  while a background run goes on: {"untilRound": N}, the round it
 *                                         runs to; left by a process or service that stopped mid-run, it
 *                                         makes the next service go on with the run by itself ({@link RunIntent})
 * &lt;experiment&gt;/round-000007/             the checkpoint after round 7
 *     spec.json          the spec in force (strategy swaps included)
 *     global.fps         global trainable parameters ({@link ParameterSetFile})
 *     strategy.fps       the strategy session's tensor state
 *     local-000.fps ...  the sites' own models (local-only protocol)
 *     history.json       every completed round
 *     checkpoint.json    written last: round, seed, strategy scalar state, sites, size and CRC32 of each file
 * </pre>
 *
 * A checkpoint is written into {@code round-NNNNNN.tmp}, every file forced to disk, then the directory
 * renamed: a crash leaves either the complete new checkpoint or only a {@code .tmp} directory, which
 * readers ignore. Site selection is drawn from the seed and the round number, so the round counter is
 * the whole generator state. The newest {@value #KEEP} checkpoints are kept, and the one of the
 * {@link BestRound} (best validation Dice), whose global model is the experiment's best.
 */
public final class CheckpointStore {

    /** Newest checkpoints kept per experiment (besides the best round's). */
    public static final int KEEP = 2;

    private static final Pattern ROUND_DIR = Pattern.compile("round-(\\d{6,})");
    private static final String MANIFEST = "checkpoint.json";
    private static final int FORMAT = 1;

    /**
     * What a checkpoint holds.
     *
     * @param round the completed round
     * @param spec the spec in force
     * @param global global trainable parameters
     * @param strategyState the strategy session's state after the round
     * @param history every completed round
     * @param localModels the sites' own models by site id (local-only protocol), else empty
     */
    public record Checkpoint(int round, ExperimentSpec spec, ParameterSet global, StrategyState strategyState,
            List<RoundResult> history, Map<String, ParameterSet> localModels) {

        public Checkpoint {
            history = List.copyOf(history);
            localModels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(localModels));
        }
    }

    /** Size and CRC32 of one file of a checkpoint. */
    record FileEntry(long size, long crc32) {
    }

    /** The contents of {@code checkpoint.json}. */
    record Manifest(int format, String experiment, int round, long seed, String strategyId,
            Map<String, String> strategyValues, List<String> localSites, Map<String, FileEntry> files,
            Instant savedAt) {
    }

    /**
     * A verified checkpoint on disk: its small parts read, its tensors read on demand.
     *
     * @param round the completed round
     * @param directory its directory
     * @param spec the spec in force
     * @param history every completed round
     */
    public record Saved(int round, Path directory, ExperimentSpec spec, List<RoundResult> history,
            Map<String, String> strategyValues, List<String> localSites) {

        /** The global trainable parameters. */
        public ParameterSet global() throws IOException {
            return ParameterSetFile.read(directory.resolve("global.fps"));
        }

        /** The strategy session's state. */
        public StrategyState strategyState() throws IOException {
            return new StrategyState(ParameterSetFile.read(directory.resolve("strategy.fps")), strategyValues);
        }

        /** The sites' own models, by site id. */
        public Map<String, ParameterSet> localModels() throws IOException {
            Map<String, ParameterSet> m = new LinkedHashMap<>();
            for (int i = 0; i < localSites.size(); i++) {
                m.put(localSites.get(i), ParameterSetFile.read(directory.resolve(localFile(i))));
            }
            return m;
        }
    }

    private final Path directory;
    private final List<String> skipped = new ArrayList<>();

    /** The store of the experiment whose directory is {@code directory}. */
    public CheckpointStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** Writes a complete checkpoint: {@link #prepare} then {@link #commit}. */
    public Path write(Checkpoint checkpoint) throws IOException {
        return commit(prepare(checkpoint));
    }

    /**
     * Writes every file of a checkpoint into a fresh {@code round-NNNNNN.tmp} directory and forces them to
     * disk; nothing is visible to readers until {@link #commit}.
     */
    public Path prepare(Checkpoint c) throws IOException {
        Files.createDirectories(directory);
        Path tmp = directory.resolve(roundDir(c.round()) + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Map<String, FileEntry> files = new LinkedHashMap<>();
        writeFile(tmp, "spec.json", files, bytes(ExperimentSpecJson.toJson(c.spec())));
        writeFile(tmp, "global.fps", files, ch -> ParameterSetFile.writeTo(ch, c.global()));
        writeFile(tmp, "strategy.fps", files, ch -> ParameterSetFile.writeTo(ch, c.strategyState().tensors()));
        List<String> sites = new ArrayList<>(c.localModels().keySet());
        for (int i = 0; i < sites.size(); i++) {
            ParameterSet p = c.localModels().get(sites.get(i));
            writeFile(tmp, localFile(i), files, ch -> ParameterSetFile.writeTo(ch, p));
        }
        writeFile(tmp, "history.json", files, bytes(Json.historyToJson(c.history())));
        Manifest m = new Manifest(FORMAT, c.spec().name(), c.round(), c.spec().seed(), c.spec().strategy(),
                c.strategyState().values(), sites, files, Instant.now());
        writeFile(tmp, MANIFEST, new LinkedHashMap<>(), bytes(Json.GSON.toJson(m)));
        AtomicFiles.syncDirectory(tmp);
        return tmp;
    }

    /**
     * Makes a prepared checkpoint visible by renaming its directory, then removes all but the newest
     * {@value #KEEP} checkpoints.
     */
    public Path commit(Path prepared) throws IOException {
        String name = prepared.getFileName().toString();
        if (!name.endsWith(".tmp")) {
            throw new IllegalArgumentException(prepared + " is not a prepared checkpoint");
        }
        Path target = directory.resolve(name.substring(0, name.length() - 4));
        if (Files.exists(target)) {
            Files.move(target, directory.resolve(target.getFileName() + ".replaced-" + System.currentTimeMillis()));
        }
        AtomicFiles.move(prepared, target);
        AtomicFiles.syncDirectory(directory);
        prune();
        return target;
    }

    /**
     * The newest checkpoint whose manifest, small files and file sizes verify; broken or unfinished ones
     * are skipped (see {@link #skipped()}).
     */
    public Optional<Saved> latest() {
        skipped.clear();
        for (Path dir : roundDirs()) {
            try {
                return Optional.of(read(dir));
            } catch (IOException | RuntimeException e) {
                skipped.add(dir.getFileName() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Why {@link #latest()} skipped checkpoints, one line each. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** Complete checkpoint directories, newest first. */
    public List<Path> roundDirs() {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return dirs;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && ROUND_DIR.matcher(p.getFileName().toString()).matches()) {
                    dirs.add(p);
                }
            }
        } catch (IOException e) {
            skipped.add(directory + ": " + e.getMessage());
        }
        dirs.sort(Comparator.comparingInt(CheckpointStore::roundOf).reversed());
        return dirs;
    }

    /** Reads and verifies one checkpoint directory. */
    public Saved read(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.exists(manifestFile)) {
            throw new IOException("no " + MANIFEST + " (the checkpoint was not finished)");
        }
        Manifest m;
        try {
            m = Json.GSON.fromJson(Files.readString(manifestFile, StandardCharsets.UTF_8), Manifest.class);
        } catch (RuntimeException e) {
            throw new IOException(manifestFile + ": unreadable: " + e.getMessage(), e);
        }
        if (m == null || m.files() == null || m.format() != FORMAT) {
            throw new IOException(manifestFile + ": not a checkpoint manifest of format " + FORMAT);
        }
        if (m.round() != roundOf(dir)) {
            throw new IOException(manifestFile + ": names round " + m.round() + " but lies in " + dir.getFileName());
        }
        for (Map.Entry<String, FileEntry> f : m.files().entrySet()) {
            Path file = dir.resolve(f.getKey());
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw new IOException(file + ": missing");
            }
            if (size != f.getValue().size()) {
                throw new IOException(file + ": " + size + " bytes, the manifest says " + f.getValue().size());
            }
            if (!f.getKey().endsWith(".fps") && crc(file) != f.getValue().crc32()) {
                throw new IOException(file + ": CRC32 does not match the manifest");
            }
        }
        ExperimentSpec spec = ExperimentSpecJson.read(dir.resolve("spec.json"));
        List<RoundResult> history = Json.historyFromJson(
                Files.readString(dir.resolve("history.json"), StandardCharsets.UTF_8), dir.resolve("history.json").toString());
        if (history.size() != m.round()) {
            throw new IOException(dir.resolve("history.json") + ": holds " + history.size() + " rounds, expected "
                    + m.round());
        }
        return new Saved(m.round(), dir, spec, history,
                m.strategyValues() == null ? Map.of() : m.strategyValues(),
                m.localSites() == null ? List.of() : List.copyOf(m.localSites()));
    }

    private void prune() throws IOException {
        List<Path> dirs = roundDirs();
        String best = dirs.isEmpty() ? null : bestRoundDir(dirs.get(0));
        for (int i = KEEP; i < dirs.size(); i++) {
            if (!dirs.get(i).getFileName().toString().equals(best)) {
                deleteTree(dirs.get(i));
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "round-*.{tmp,replaced-*}")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        }
    }

    /** The directory name of the best round by the newest checkpoint's history, or {@code null}. */
    private static String bestRoundDir(Path newest) {
        try {
            Path file = newest.resolve("history.json");
            List<RoundResult> history = Json.historyFromJson(Files.readString(file, StandardCharsets.UTF_8),
                    file.toString());
            return BestRound.of(history).map(b -> roundDir(b.round())).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null; // an unreadable history keeps only the newest checkpoints
        }
    }

    static String roundDir(int round) {
        return String.format("round-%06d", round);
    }

    private static String localFile(int index) {
        return String.format("local-%03d.fps", index);
    }

    private static int roundOf(Path dir) {
        Matcher m = ROUND_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static AtomicFiles.Content bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return ch -> AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(b));
    }

    private static void writeFile(Path dir, String name, Map<String, FileEntry> files, AtomicFiles.Content content)
            throws IOException {
        Path file = dir.resolve(name);
        AtomicFiles.writeSynced(file, content);
        // parameter files carry their own CRC32, checked whenever they are read
        files.put(name, new FileEntry(Files.size(file), name.endsWith(".fps") ? 0 : crc(file)));
    }

    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue();
    }

    /** Deletes a file or directory tree if it exists. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> paths = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }
}
