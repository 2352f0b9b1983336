package org.fedfms.data.npy.internal;

import java.util.List;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.io.NpyArray;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseHandling;
import org.fedfms.data.CaseIds;
import org.fedfms.data.ClassLabeler;
import org.fedfms.data.LabelSettings;
import org.fedfms.data.PairedFilesLoader;
import org.fedfms.data.PairedFolders;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensitySettings;
import org.fedfms.data.LabelMapping;
import org.osgi.service.component.annotations.Component;

/**
 * Reads the FedFMS reference code's preprocessed layout unchanged: {@code <root>/<site>/data_npy/*.npy}
 * images (H×W, H×W×C or C×H×W) with {@code <root>/<site>/label_npy/*.npy} masks of the same name
 * (H×W, H×W×1, or H×W×K one channel per structure). Masks stored smaller than their image (the
 * reference keeps 1024-pixel images with 256-pixel labels) are brought to the image size by nearest
 * neighbour, as the reference's data loader does.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + NpyDatasetLoader.ID)
public class NpyDatasetLoader extends PairedFilesLoader<NpyDatasetLoader.Settings> implements DatasetLoader {

    static final String ID = "npy";

    /** Case ids of the reference's slice names: {@code Case02.nii.gz12.npy} is slice 12 of case Case02. */
    static final String REFERENCE_CASE_PATTERN = "(.+?)\\.nii(?:\\.gz)?\\d+";

    /** The npy dataset's settings; of a multi-channel label array, channel k is class k+1. */
    public record Settings(
            PairedFolders folders,
            LabelSettings labels,
            @Setting(description = CaseIds.SETTING_DESCRIPTION + " (default: the reference's <case>.nii.gz<slice>)")
            String casePattern,
            IntensitySettings window,
            @Setting(description = "bring masks of another size but the same aspect ratio to the image size "
                    + "(nearest neighbour), as the reference does")
            boolean resizeMasks,
            CaseHandling cases) implements PairedFilesLoader.Files {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings(new PairedFolders("", "data_npy", "label_npy"), LabelSettings.DEFAULTS,
                    REFERENCE_CASE_PATTERN, new IntensitySettings(IntensityScaling.AUTO, 0.5, 99.5), true,
                    CaseHandling.DEFAULTS));

    public NpyDatasetLoader() {
        super(ID, "NumPy arrays in the FedFMS reference layout <root>/<site>/data_npy + label_npy", SCHEMA,
                List.of(".npy"), ClassLabeler.DOMINANT_CLASS);
    }

    @Override
    protected PairReader reader(Settings s, LabelMapping labels, UnaryOperator<String> cases)
            throws DatasetException {
        check(s.window()::checkWindow);
        Decoding decoding = new Decoding(labels, s.window(), s.resizeMasks());
        return onePerPair(cases, (image, mask, shownImage, shownMask) -> NpyImages.toLabeledImage(
                NpyArray.read(image, shownImage), NpyArray.read(mask, shownMask), decoding, shownImage, shownMask));
    }

    /** How arrays become images and masks. */
    record Decoding(LabelMapping labels, IntensitySettings window, boolean resizeMasks) {
    }
}
