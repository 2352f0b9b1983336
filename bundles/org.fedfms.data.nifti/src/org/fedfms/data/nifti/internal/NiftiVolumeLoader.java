package org.fedfms.data.nifti.internal;

import java.util.List;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseHandling;
import org.fedfms.data.LabelMapping;
import org.fedfms.data.LabelSettings;
import org.fedfms.data.PairedFilesLoader;
import org.fedfms.data.PairedFolders;
import org.fedfms.data.volume.VolumeCache;
import org.fedfms.data.volume.VolumeCase;
import org.fedfms.data.volume.VolumeSettings;
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
public class NiftiVolumeLoader extends PairedFilesLoader<NiftiVolumeLoader.Settings> implements DatasetLoader {

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
            LabelSettings labels,
            VolumeSettings volumes,
            CaseHandling cases) implements PairedFilesLoader.Files {

        @Override
        public PairedFolders folders() {
            return new PairedFolders(root, imagesDir, labelsDir);
        }

        @Override
        public String maskSuffix() {
            return labelSuffix;
        }
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings("", "images", "labels", "", LabelSettings.DEFAULTS, VolumeSettings.DEFAULTS,
                    CaseHandling.DEFAULTS));

    public NiftiVolumeLoader() {
        super(ID, "NIfTI-1/2 volumes (.nii, .nii.gz) with label volumes, cut into 2-D slices", SCHEMA,
                List.of(".nii", ".nii.gz"), VolumeSlicing.DOMINANT_CLASS);
    }

    @Override
    protected PairReader reader(Settings s, LabelMapping labels, UnaryOperator<String> cases)
            throws DatasetException {
        VolumeSettings v = s.volumes();
        check(v.window()::checkWindow);
        VolumeSlicing slicing = new VolumeSlicing(v.axis(), labels, v.window().intensity(), v.window().windowLow(),
                v.window().windowHigh(), v.adjacentSlices(), new VolumeCache(v.cacheMB() * (1L << 20)));
        return (p, show) -> slicing.cut(VolumeCase.of(p.base(), p.image(), p.mask(), show.apply(p.image()),
                show.apply(p.mask())), v.emptySliceStride());
    }
}
