package org.fedfms.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.Sample;
import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;

/**
 * What every dataset loader does the same way before it reads anything: it states its id, description and
 * settings ({@link DescribedService}), binds the settings it is given and turns a bad value into a
 * {@link DatasetException} that names the loader; a loader of paired image/label folders also walks its
 * sites here. A loader extends this, implements {@link DatasetLoader} (so that its component provides that
 * service) and states only what is its own.
 *
 * @param <S> the loader's settings record
 */
public abstract class DescribedLoader<S extends Record> extends DescribedService<S> implements DatasetLoader {

    protected DescribedLoader(String id, String description, SettingsSchema<S> schema) {
        super(id, description, schema);
    }

    /** What messages name the loader by, e.g. {@code dataset npy}. */
    protected final String subject() {
        return "dataset " + id();
    }

    /**
     * The settings record of {@code settings}.
     *
     * @throws DatasetException ("bad settings") naming every value that is wrong
     */
    protected final S bind(Map<String, ?> settings) throws DatasetException {
        return checked(() -> settings().bind(settings));
    }

    /**
     * What {@code parse} makes of the settings (a label mapping, a case pattern, a window check).
     *
     * @throws DatasetException ("bad settings") if {@code parse} throws an {@link IllegalArgumentException}
     */
    protected final <T> T checked(Supplier<T> parse) throws DatasetException {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new DatasetException(subject() + ": bad settings", List.of(e.getMessage()));
        }
    }

    /**
     * Runs {@code check} on the settings (e.g. that a window's bounds make a window).
     *
     * @throws DatasetException ("bad settings") if {@code check} throws an {@link IllegalArgumentException}
     */
    protected final void check(Runnable check) throws DatasetException {
        checked(() -> {
            check.run();
            return null;
        });
    }

    /** What a loader makes of one image/label pair: its samples (one image, or the slices of a volume). */
    @FunctionalInterface
    protected interface PairReader {
        /**
         * @param show how to name a file in messages (relative to the dataset root)
         * @throws IOException if the pair cannot be read: it becomes a bad case of its site
         */
        List<? extends Sample> read(FilePairs.FilePair pair, Function<Path, String> show) throws IOException;
    }

    /**
     * Reads the sites under {@code root} (one sub-folder each) in {@code layout}: every pair through
     * {@code reader}; missing folders, unpaired files and pairs {@code reader} cannot read become bad cases.
     *
     * @param cases the case id of a pair's base name
     * @return the builder holding the sites, named after the loader and root; the caller may set its labeler
     *         and builds it
     * @throws DatasetException if the root or a site folder cannot be listed, or the layout contradicts itself
     */
    protected final DatasetBuilder readSites(String root, PairedLayout layout, int classes,
            UnaryOperator<String> cases, PairReader reader) throws DatasetException {
        List<Path> siteDirs = SiteFolders.of(subject(), root);
        Path rootDir = Path.of(root);
        Function<Path, String> show = p -> rootDir.relativize(p).toString();
        DatasetBuilder builder = new DatasetBuilder(id() + " " + rootDir, classes);
        for (Path siteDir : siteDirs) {
            String site = siteDir.getFileName().toString();
            List<Sample> samples = new ArrayList<>();
            for (FilePairs.FilePair p : layout.scan(subject(), siteDir, show, cases, builder)) {
                try {
                    samples.addAll(reader.read(p, show));
                } catch (IOException e) {
                    builder.badCase(site, cases.apply(p.base()), e.getMessage());
                }
            }
            builder.site(site, samples);
        }
        return builder;
    }
}
