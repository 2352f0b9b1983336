package org.fedfms.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.settings.SettingsSchema;

/**
 * The skeleton of a loader of paired image and label files ({@code <root>/<site>/<images>} with
 * {@code <root>/<site>/<labels>}, matched by name): it binds the settings, parses the label mapping and case
 * pattern, walks the sites with the one paired-folder scan ({@link PairedLayout}) and builds the dataset. A
 * loader states only its settings, file extensions and what it makes of one pair ({@link #reader}).
 *
 * @param <S> the loader's settings record, which states where the files are ({@link Files})
 */
public abstract class PairedFilesLoader<S extends Record & PairedFilesLoader.Files> extends DescribedLoader<S> {

    /** What the settings of a paired-files loader say about its files and labels. */
    public interface Files {

        /** The dataset root and the folders of a site. */
        PairedFolders folders();

        /** What a label file's base name adds to its image's base name; empty for the same name. */
        default String maskSuffix() {
            return "";
        }

        /** Classes and label values. */
        LabelSettings labels();

        /** The {@link CaseIds} pattern of case ids in file names; empty: each pair is its own case. */
        default String casePattern() {
            return "";
        }

        /** Which bad cases are left out and how sites are split. */
        CaseHandling cases();
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

    /** How one image file and its label file become a labelled image, on each {@link Sample#load()}. */
    @FunctionalInterface
    protected interface PairDecoder {
        /**
         * @param shownImage the image file's name in messages
         * @param shownMask the label file's name in messages
         * @throws IOException if a file cannot be read or the two do not fit
         */
        LabeledImage decode(Path image, Path mask, String shownImage, String shownMask) throws IOException;
    }

    /** One sample a pair, named after its image file and decoded by {@code decoder} when it is loaded. */
    protected static PairReader onePerPair(UnaryOperator<String> cases, PairDecoder decoder) {
        return (p, show) -> List.of(new PairSample(p.image().getFileName().toString(), cases.apply(p.base()),
                p.image(), p.mask(), show.apply(p.image()), show.apply(p.mask()), decoder));
    }

    /** An image file and its label file, decoded on {@link #load()}. */
    private record PairSample(String id, String caseId, Path image, Path mask, String shownImage, String shownMask,
            PairDecoder decoder) implements Sample {

        @Override
        public LabeledImage load() throws IOException {
            return decoder.decode(image, mask, shownImage, shownMask);
        }
    }

    private final List<String> extensions;
    private final ClassLabeler labeler;

    /**
     * @param extensions the accepted lower-case file extensions with the dot
     * @param labeler the class a sample stands for when splits are balanced
     */
    protected PairedFilesLoader(String id, String description, SettingsSchema<S> schema, List<String> extensions,
            ClassLabeler labeler) {
        super(id, description, schema);
        this.extensions = List.copyOf(extensions);
        this.labeler = labeler;
    }

    /**
     * What this loader makes of each pair under {@code settings}.
     *
     * @param labels the label mapping of the settings
     * @param cases the case id of a pair's base name
     * @throws DatasetException ("bad settings") if a setting of the loader's own is wrong
     */
    protected abstract PairReader reader(S settings, LabelMapping labels, UnaryOperator<String> cases)
            throws DatasetException;

    @Override
    public final FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        S s = bind(settings);
        LabelMapping labels = checked(s.labels()::mapping);
        UnaryOperator<String> cases = checked(() -> CaseIds.of(s.casePattern()));
        PairReader reader = reader(s, labels, cases);
        PairedLayout layout = s.folders().layout(s.maskSuffix(), extensions);
        return readSites(s.folders().root(), layout, s.labels().classes(), cases, reader).labeler(labeler)
                .build(s.cases());
    }

    /**
     * Reads the sites under {@code root} (one sub-folder each) in {@code layout}: every pair through
     * {@code reader}; missing folders, unpaired files and pairs {@code reader} cannot read become bad cases.
     *
     * @throws DatasetException if the root or a site folder cannot be listed, or the layout contradicts itself
     */
    private DatasetBuilder readSites(String root, PairedLayout layout, int classes, UnaryOperator<String> cases,
            PairReader reader) throws DatasetException {
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
