package org.fedfms.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.fedfms.api.data.DatasetException;

/** The natural sites of a dataset on disk: the sub-folders of its root, in name order. */
public final class SiteFolders {

    private SiteFolders() {
    }

    /**
     * The site folders under {@code root} (hidden folders ignored).
     *
     * @param subject the loader, for messages
     * @throws DatasetException if the root is not given, missing, not a folder, unreadable or has no
     *         sub-folder
     */
    public static List<Path> of(String subject, String root) throws DatasetException {
        if (root == null || root.isBlank()) {
            throw new DatasetException(subject + ": no dataset folder given; set root=/path/to/dataset (one "
                    + "sub-folder per site)");
        }
        Path dir = Path.of(root);
        if (!Files.exists(dir)) {
            throw new DatasetException(subject + ": dataset folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(subject + ": " + dir + " is not a folder");
        }
        List<Path> sites;
        try (Stream<Path> s = Files.list(dir)) {
            sites = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new DatasetException(subject + ": cannot list " + dir + ": " + e);
        }
        if (sites.isEmpty()) {
            throw new DatasetException(subject + ": " + dir + " has no site folders (expected " + dir
                    + "/<site>/...)");
        }
        return sites;
    }
}
