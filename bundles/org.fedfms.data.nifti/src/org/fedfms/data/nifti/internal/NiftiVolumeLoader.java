package org.fedfms.data.nifti.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
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
import org.fedfms.data.volume.NiftiVolume;
import org.fedfms.data.volume.VolumeCache;
import org.fedfms.data.volume.VolumeCase;
import org.fedfms.data.volume.VolumeSlicing;
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
        VolumeSlicing slicing = new VolumeSlicing(s.axis(), labels, s.intensity(), s.windowLow(), s.windowHigh(), s.adjacentSlices(),
                new VolumeCache(s.cacheMB() * (1L << 20)));
        DatasetBuilder builder = new DatasetBuilder("nifti " + root, s.classes());
        PairedLayout layout = new PairedLayout(s.imagesDir(), s.labelsDir(), s.labelSuffix(), List.of(".nii", ".nii.gz"));
        for (Path siteDir : siteDirs) {
            String site = siteDir.getFileName().toString();
            List<Sample> samples = new ArrayList<>();
            for (FilePairs.FilePair p : layout.scan("dataset " + ID, siteDir, show, UnaryOperator.identity(), builder)) {
                try {
                    samples.addAll(slicing.cut(VolumeCase.of(p.base(), p.image(), p.mask(), show.apply(p.image()),
                            show.apply(p.mask())), s.emptySliceStride()));
                } catch (IOException e) {
                    builder.badCase(site, p.base(), e.getMessage());
                }
            }
            builder.site(site, samples);
        }
        builder.labeler(VolumeSlicing.DOMINANT_CLASS);
        return builder.build(split, s.skipBad());
    }
}
