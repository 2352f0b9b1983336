package org.fedfms.data.npy.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.io.NpyArray;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseHandling;
import org.fedfms.data.CaseIds;
import org.fedfms.data.DescribedLoader;
import org.fedfms.data.PairedLayout;
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
public class NpyDatasetLoader extends DescribedLoader<NpyDatasetLoader.Settings> implements DatasetLoader {

    static final String ID = "npy";

    /** Case ids of the reference's slice names: {@code Case02.nii.gz12.npy} is slice 12 of case Case02. */
    static final String REFERENCE_CASE_PATTERN = "(.+?)\\.nii(?:\\.gz)?\\d+";

    /** The npy dataset's settings. */
    public record Settings(
            @Setting(description = "dataset folder holding one sub-folder per site")
            String root,
            @Setting(description = "folder of a site that holds the image arrays")
            String imagesDir,
            @Setting(description = "folder of a site that holds the label arrays")
            String masksDir,
            @Setting(description = "classes including background", min = 2, max = 256)
            int classes,
            @Setting(description = LabelMapping.SETTING_DESCRIPTION + "; multi-channel labels: channel k is class k+1")
            String labelValues,
            @Setting(description = CaseIds.SETTING_DESCRIPTION + " (default: the reference's <case>.nii.gz<slice>)")
            String casePattern,
            @Setting(description = "how intensities become 0..255 (flattened)")
            IntensitySettings window,
            @Setting(description = "bring masks of another size but the same aspect ratio to the image size "
                    + "(nearest neighbour), as the reference does")
            boolean resizeMasks,
            @Setting(description = "which bad cases are left out and how sites are split (flattened)")
            CaseHandling cases) {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings("", "data_npy", "label_npy", 2, "", REFERENCE_CASE_PATTERN,
                    new IntensitySettings(IntensityScaling.AUTO, 0.5, 99.5), true, CaseHandling.DEFAULTS));

    public NpyDatasetLoader() {
        super(ID, "NumPy arrays in the FedFMS reference layout <root>/<site>/data_npy + label_npy", SCHEMA);
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        Settings s = bind(settings);
        LabelMapping labels = checked(() -> LabelMapping.parse(s.classes(), s.labelValues()));
        UnaryOperator<String> cases = checked(() -> CaseIds.of(s.casePattern()));
        check(s.window()::checkWindow);
        Decoding decoding = new Decoding(labels, s.window(), s.resizeMasks());
        PairedLayout layout = new PairedLayout(s.imagesDir(), s.masksDir(), "", List.of(".npy"));
        return readSites(s.root(), layout, s.classes(), cases, (p, show) -> List.of(new NpySample(
                p.image().getFileName().toString(), cases.apply(p.base()), p.image(), p.mask(), decoding,
                show.apply(p.image()), show.apply(p.mask())))).build(s.cases());
    }

    /** How arrays become images and masks. */
    record Decoding(LabelMapping labels, IntensitySettings window, boolean resizeMasks) {
    }

    /** An image array and its label array, read on {@link #load()}. */
    record NpySample(String id, String caseId, Path image, Path mask, Decoding decoding, String shownImage,
            String shownMask) implements Sample {

        @Override
        public LabeledImage load() throws IOException {
            NpyArray img = NpyArray.read(image, shownImage);
            NpyArray lab = NpyArray.read(mask, shownMask);
            return NpyImages.toLabeledImage(img, lab, decoding, shownImage, shownMask);
        }
    }
}
