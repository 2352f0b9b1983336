package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.SiteStateStore;

/**
 * The models one simulated site fitted, kept under its experiment's directory
 * ({@code sites/<site>/fitted/round-NNNNNN.fps}, owner-only, each written atomically): the newest and the one
 * before it, so that a round repeated after an abort starts from the same state. They give the site's own
 * values of its local parameters and its local model for cross-site evaluation.
 */
final class FittedModels {

    private static final Pattern FILE = Pattern.compile("round-(\\d{6})\\.fps");

    /** A fitted model and the round it was fitted in. */
    record Fitted(int round, ParameterSet parameters) {
    }

    private final Path directory;
    private final String siteId;

    FittedModels(Path experimentDirectory, String siteId) {
        this.directory = experimentDirectory.resolve("sites").resolve(SiteStateStore.folderName(siteId))
                .resolve("fitted");
        this.siteId = siteId;
    }

    Path directory() {
        return directory;
    }

    /** The newest model fitted in a round up to {@code round}; null if there is none. */
    synchronized Fitted latestUpTo(int round) throws IOException {
        int best = -1;
        for (int r : rounds()) {
            if (r <= round && r > best) {
                best = r;
            }
        }
        if (best < 0) {
            return null;
        }
        Path f = file(best);
        try {
            return new Fitted(best, ParameterSetFile.read(f));
        } catch (IOException e) {
            throw new IOException("site '" + siteId + "': its fitted model " + f + " cannot be read: " + e.getMessage()
                    + "; delete it to start that site's own parameters from the global model", e);
        }
    }

    /** Keeps the model fitted in {@code round}, then drops every other but the newest before it. */
    synchronized void save(int round, ParameterSet parameters) throws IOException {
        if (!Files.isDirectory(directory)) {
            Path experiment = directory.getParent().getParent().getParent();
            if (!Files.isDirectory(experiment)) {
                throw new IOException("the experiment's directory " + experiment + " is gone (removed?)");
            }
            Files.createDirectories(directory.getParent());
            try {
                Files.createDirectory(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectory(directory);
            }
        }
        ParameterSetFile.write(file(round), parameters);
        int before = -1;
        List<Integer> rounds = rounds();
        for (int r : rounds) {
            if (r < round && r > before) {
                before = r;
            }
        }
        for (int r : rounds) {
            if (r != round && r != before) {
                Files.deleteIfExists(file(r));
            }
        }
    }

    /**
     * Deletes the models the sites of an experiment fitted in rounds after {@code completedRounds} (a round that
     * did not complete), and the folders that leaves empty.
     */
    static void discardAfter(Path experimentDirectory, int completedRounds) throws IOException {
        Path sites = experimentDirectory.resolve("sites");
        if (!Files.isDirectory(sites)) {
            return;
        }
        List<Path> folders;
        try (Stream<Path> list = Files.list(sites)) {
            folders = list.toList();
        }
        for (Path site : folders) {
            Path fitted = site.resolve("fitted");
            if (Files.isDirectory(fitted)) {
                FittedModels m = new FittedModels(fitted);
                for (int r : m.rounds()) {
                    if (r > completedRounds) {
                        Files.deleteIfExists(m.file(r));
                    }
                }
                deleteIfEmpty(fitted);
            }
            deleteIfEmpty(site);
        }
        deleteIfEmpty(sites);
    }

    private FittedModels(Path directory) {
        this.directory = directory;
        this.siteId = directory.getParent().getFileName().toString();
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            if (list.findAny().isPresent()) {
                return;
            }
        }
        Files.deleteIfExists(dir);
    }

    private Path file(int round) {
        return directory.resolve(String.format("round-%06d.fps", round));
    }

    private List<Integer> rounds() throws IOException {
        List<Integer> rounds = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return rounds;
        }
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(f -> {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    rounds.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        return rounds;
    }
}
