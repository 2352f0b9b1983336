package org.fedfms.data.nifti.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.DatasetBuilder;
import org.fedfms.data.FilePairs;
import org.fedfms.data.PairedLayout;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensityWindow;
import org.fedfms.data.LabelMapping;
import org.fedfms.data.SiteFolders;
import org.fedfms.data.SplitSettings;
import org.osgi.service.component.annotations.Component;

/**
 * Reads NIfTI-1/NIfTI-2 volumes ({@code .nii}, {@code .nii.gz}) with label volumes and cuts them into
 * 2-D slices along an axis: {@code <root>/<site>/images/*.nii.gz} with {@code <root>/<site>/labels/}
 * files of the same name (or one folder with a label suffix, e.g. {@code Case00_segmentation.nii.gz}).
 * Intensities are windowed per volume; slices without foreground are thinned to every k-th; each
 * volume is one case. Slices follow voxel order (rows along the higher axis), ignoring the affine.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + NiftiVolumeLoader.ID)
public class NiftiVolumeLoader implements DatasetLoader {

    static final String ID = "nifti";

    /** The NIfTI dataset's settings. */
    public record Settings(
            @Setting(description = "dataset folder holding one sub-folder per site")
            String root,
            @Setting(description = "folder of a site that holds the image volumes")
            String imagesDir,
            @Setting(description = "folder of a site that holds the label volumes (may equal imagesDir if "
                    + "labelSuffix is set)")
            String labelsDir,
            @Setting(description = "what a label file's name adds to its image's name, e.g. _segmentation")
            String labelSuffix,
            @Setting(description = "axis the 2-D slices are cut across: x (sagittal), y (coronal), z (axial)")
            NiftiVolume.Axis axis,
            @Setting(description = "classes including background", min = 2, max = 256)
            int classes,
            @Setting(description = LabelMapping.SETTING_DESCRIPTION)
            String labelValues,
            @Setting(description = IntensityScaling.SETTING_DESCRIPTION + "; windows are per volume")
            IntensityScaling intensity,
            @Setting(description = "lower percentile (percentile) or raw value (fixed) that becomes 0")
            double windowLow,
            @Setting(description = "upper percentile (percentile) or raw value (fixed) that becomes 255")
            double windowHigh,
            @Setting(description = "keep every k-th slice without foreground (1: all, 0: none; the reference "
                    + "keeps 1 in 5)", min = 0, max = 10_000)
            int emptySliceStride,
            @Setting(description = "use the slices before and after as the first and third channel")
            boolean adjacentSlices,
            @Setting(description = "megabytes of decoded volumes kept in memory", min = 0, max = 1_000_000)
            int cacheMB,
            @Setting(description = "leave out bad cases (every sample is decoded at load to find them) and list "
                    + "them, instead of failing")
            boolean skipBad,
            @Setting(description = "how sites are partitioned and split (flattened into settings of their own)")
            SplitSettings split) {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings("", "images", "labels", "", NiftiVolume.Axis.Z, 2, "", IntensityScaling.PERCENTILE, 0.5, 99.5,
                    5, false, 256, false, SplitSettings.DEFAULTS));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "NIfTI-1/2 volumes (.nii, .nii.gz) with label volumes, cut into 2-D slices";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        Settings s;
        SplitSettings split;
        LabelMapping labels;
        try {
            s = SCHEMA.bind(settings);
            split = s.split();
            labels = LabelMapping.parse(s.classes(), s.labelValues());
            if (s.intensity() == IntensityScaling.PERCENTILE) {
                IntensityWindow.percentile(new float[] {0}, s.windowLow(), s.windowHigh());
            } else if (s.intensity() == IntensityScaling.FIXED) {
                new IntensityWindow(s.windowLow(), s.windowHigh());
            }
        } catch (IllegalArgumentException e) {
            throw new DatasetException("dataset " + ID + ": bad settings", List.of(e.getMessage()));
        }
        List<Path> siteDirs = SiteFolders.of("dataset " + ID, s.root());
        Path root = Path.of(s.root());
        Function<Path, String> show = p -> root.relativize(p).toString();
        Slicing slicing = new Slicing(s.axis(), labels, s.intensity(), s.windowLow(), s.windowHigh(), s.adjacentSlices(),
                new VolumeCache(s.cacheMB() * (1L << 20)));
        DatasetBuilder builder = new DatasetBuilder("nifti " + root, s.classes());
        PairedLayout layout = new PairedLayout(s.imagesDir(), s.labelsDir(), s.labelSuffix(), List.of(".nii", ".nii.gz"));
        for (Path siteDir : siteDirs) {
            String site = siteDir.getFileName().toString();
            List<Sample> samples = new ArrayList<>();
            for (FilePairs.FilePair p : layout.scan("dataset " + ID, siteDir, show, UnaryOperator.identity(), builder)) {
                try {
                    samples.addAll(slices(p, slicing, s.emptySliceStride(), show));
                } catch (IOException e) {
                    builder.badCase(site, p.base(), e.getMessage());
                }
            }
            builder.site(site, samples);
        }
        builder.labeler(sample -> sample instanceof NiftiSlice ns ? ns.dominantClass() : 0);
        return builder.build(split, s.skipBad());
    }

    /**
     * The slices of one volume pair to keep: every slice with foreground, and every k-th slice
     * without. Reads both headers and the whole label volume (checking every label value).
     */
    static List<NiftiSlice> slices(FilePairs.FilePair p, Slicing slicing, int emptyStride, Function<Path, String> show)
            throws IOException {
        String shownImage = show.apply(p.image());
        String shownLabel = show.apply(p.mask());
        NiftiHeader ih = NiftiVolume.readHeader(p.image(), shownImage);
        NiftiVolume label = NiftiVolume.read(p.mask(), shownLabel);
        NiftiHeader lh = label.header();
        if (ih.nx() != lh.nx() || ih.ny() != lh.ny() || ih.nz() != lh.nz()) {
            throw new IOException(shownImage + " is " + ih.dims() + " voxels but its label " + shownLabel + " is "
                    + lh.dims());
        }
        NiftiVolume.Axis axis = slicing.axis();
        int n = label.slices(axis);
        int[] size = label.sliceSize(axis);
        List<NiftiSlice> kept = new ArrayList<>();
        int empties = 0;
        for (int s = 0; s < n; s++) {
            int dominant = 0;
            int[] counts = new int[slicing.labels().classes()];
            for (int r = 0; r < size[0]; r++) {
                for (int c = 0; c < size[1]; c++) {
                    double v = label.value(label.index(axis, s, r, c));
                    int cls = slicing.labels().classOf(v);
                    if (cls < 0) {
                        throw new IOException(shownLabel + ": voxel value " + format(v) + " at slice " + s + ", row " + r
                                + ", column " + c + " (" + axis.name().toLowerCase(Locale.ROOT)
                                + " axis) is not a label; expected " + slicing.labels().expected()
                                + " (see the classes and labelValues settings)");
                    }
                    counts[cls]++;
                }
            }
            for (int cls = 1; cls < counts.length; cls++) {
                if (counts[cls] > 0 && (dominant == 0 || counts[cls] > counts[dominant])) {
                    dominant = cls;
                }
            }
            boolean keep = dominant != 0 || (emptyStride > 0 && empties++ % emptyStride == 0);
            if (keep) {
                kept.add(new NiftiSlice(String.format(Locale.ROOT, "%s_%s%03d", p.base(),
                        axis.name().toLowerCase(Locale.ROOT), s), p.base(), p.image(), p.mask(), shownImage, shownLabel,
                        s, dominant, slicing));
            }
        }
        return kept;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** How volumes become slices. */
    record Slicing(NiftiVolume.Axis axis, LabelMapping labels, IntensityScaling intensity, double windowLow,
            double windowHigh, boolean adjacent, VolumeCache cache) {
    }

    /** One slice of a volume pair, cut on {@link #load()}. */
    record NiftiSlice(String id, String caseId, Path image, Path labelFile, String shownImage, String shownLabel,
            int slice, int dominantClass, Slicing slicing) implements Sample {

        @Override
        public LabeledImage load() throws IOException {
            NiftiVolume img = slicing.cache().get(image, shownImage);
            NiftiVolume lab = slicing.cache().get(labelFile, shownLabel);
            NiftiVolume.Axis axis = slicing.axis();
            int[] size = img.sliceSize(axis);
            int[] labelSize = lab.sliceSize(axis);
            if (size[0] != labelSize[0] || size[1] != labelSize[1] || img.slices(axis) != lab.slices(axis)) {
                throw new IOException(shownImage + " is " + img.header().dims() + " voxels but its label " + shownLabel
                        + " is " + lab.header().dims());
            }
            IntensityWindow window = slicing.cache().window(image, img, slicing.intensity(), slicing.windowLow(),
                    slicing.windowHigh());
            int last = img.slices(axis) - 1;
            float[] mid = window.applyInPlace(img.slice(axis, slice));
            float[] before = slicing.adjacent() ? window.applyInPlace(img.slice(axis, Math.max(0, slice - 1))) : mid;
            float[] after = slicing.adjacent() ? window.applyInPlace(img.slice(axis, Math.min(last, slice + 1))) : mid;
            float[] rgb = new float[mid.length * 3];
            for (int i = 0; i < mid.length; i++) {
                rgb[3 * i] = before[i];
                rgb[3 * i + 1] = mid[i];
                rgb[3 * i + 2] = after[i];
            }
            float[] labels = lab.slice(axis, slice);
            byte[] mask = slicing.labels().map(size[0], size[1], i -> labels[i], shownLabel + " slice " + slice);
            return new LabeledImage(size[0], size[1], 3, rgb, mask);
        }
    }
}
