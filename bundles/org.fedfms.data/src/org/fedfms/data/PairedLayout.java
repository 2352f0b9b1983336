package org.fedfms.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;

/**
 * The layout of a site that keeps images and labels in paired folders ({@code <site>/images} with
 * {@code <site>/labels}, files matched by name): the one scan every loader of paired files shares.
 *
 * @param imagesDir folder of a site that holds the images
 * @param labelsDir folder of a site that holds the labels (may equal {@code imagesDir} with a suffix)
 * @param labelSuffix what a label's base name adds to its image's base name (may be empty)
 * @param extensions accepted lower-case extensions with the dot
 */
public record PairedLayout(String imagesDir, String labelsDir, String labelSuffix, List<String> extensions) {

    public PairedLayout {
        extensions = List.copyOf(extensions);
    }

    /**
     * The image/label pairs of one site; missing folders and unpaired files go to {@code builder} as
     * bad cases of the site (case ids from {@code cases}).
     *
     * @param subject the loader, for messages (e.g. {@code dataset nifti})
     * @param show how to name a file in messages
     * @throws DatasetException if the site folder cannot be listed or the layout is contradictory
     */
    public List<FilePairs.FilePair> scan(String subject, Path siteDir, Function<Path, String> show,
            UnaryOperator<String> cases, DatasetBuilder builder) throws DatasetException {
        String site = siteDir.getFileName().toString();
        Path images = siteDir.resolve(imagesDir);
        Path labels = siteDir.resolve(labelsDir);
        boolean folders = true;
        for (Path dir : List.of(images, labels)) {
            if (!Files.isDirectory(dir)) {
                builder.badCase(site, "*", show.apply(dir) + ": folder missing");
                folders = false;
            }
        }
        if (!folders) {
            return List.of();
        }
        FilePairs.Result pairs;
        try {
            pairs = FilePairs.match(images, labels, labelSuffix, extensions, show);
        } catch (IOException e) {
            throw new DatasetException(subject + ": cannot list " + show.apply(siteDir) + ": " + e);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(subject + ": bad settings", List.of(e.getMessage()));
        }
        pairs.problems().forEach(p -> builder.badCase(site, cases.apply(p.base()), p.problem()));
        return pairs.pairs();
    }
}
