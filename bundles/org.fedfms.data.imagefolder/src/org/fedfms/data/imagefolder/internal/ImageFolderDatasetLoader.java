package org.fedfms.data.imagefolder.internal;

import java.awt.image.BufferedImage;
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
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseHandling;
import org.fedfms.data.CaseIds;
import org.fedfms.data.DescribedLoader;
import org.fedfms.data.PairedLayout;
import org.fedfms.data.LabelMapping;
import org.osgi.service.component.annotations.Component;

/**
 * Reads {@code <root>/<site>/images/*} with {@code <root>/<site>/masks/*} matched by base name:
 * PNG, JPEG, BMP, GIF or TIFF through the JDK's ImageIO; binary (0/1, 0/255) or label masks.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + ImageFolderDatasetLoader.ID)
public class ImageFolderDatasetLoader extends DescribedLoader<ImageFolderDatasetLoader.Settings> implements DatasetLoader {

    static final String ID = "imagefolder";

    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff");

    /** The image folder dataset's settings. */
    public record Settings(
            @Setting(description = "dataset folder holding one sub-folder per site")
            String root,
            @Setting(description = "folder of a site that holds the images")
            String imagesDir,
            @Setting(description = "folder of a site that holds the masks (may equal imagesDir if maskSuffix is set)")
            String masksDir,
            @Setting(description = "what a mask's base name adds to its image's base name, e.g. _mask")
            String maskSuffix,
            @Setting(description = "classes including background", min = 2, max = 256)
            int classes,
            @Setting(description = LabelMapping.SETTING_DESCRIPTION)
            String labelValues,
            @Setting(description = CaseIds.SETTING_DESCRIPTION)
            String casePattern,
            @Setting(description = "which bad cases are left out and how sites are split (flattened)")
            CaseHandling cases) {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings("", "images", "masks", "", 2, "", "", CaseHandling.DEFAULTS));

    public ImageFolderDatasetLoader() {
        super(ID, "image folders <root>/<site>/images + masks (PNG, JPEG, BMP, GIF, TIFF), binary or label masks", SCHEMA);
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        Settings s = bind(settings);
        LabelMapping labels = checked(() -> LabelMapping.parse(s.classes(), s.labelValues()));
        UnaryOperator<String> cases = checked(() -> CaseIds.of(s.casePattern()));
        PairedLayout layout = new PairedLayout(s.imagesDir(), s.masksDir(), s.maskSuffix(), EXTENSIONS);
        return readSites(s.root(), layout, s.classes(), cases, (p, show) -> List.of(new ImageFileSample(
                p.image().getFileName().toString(), cases.apply(p.base()), p.image(), p.mask(), labels,
                show.apply(p.image()), show.apply(p.mask())))).build(s.cases());
    }

    /** An image file and its mask file, decoded on {@link #load()}. */
    record ImageFileSample(String id, String caseId, Path image, Path mask, LabelMapping labels, String shownImage,
            String shownMask) implements Sample {

        @Override
        public LabeledImage load() throws IOException {
            BufferedImage img = ImageDecoder.read(image, shownImage);
            BufferedImage m = ImageDecoder.read(mask, shownMask);
            if (img.getHeight() != m.getHeight() || img.getWidth() != m.getWidth()) {
                throw new IOException(shownImage + " is " + img.getHeight() + "x" + img.getWidth() + " (HxW) but its mask "
                        + shownMask + " is " + m.getHeight() + "x" + m.getWidth());
            }
            ImageDecoder.Pixels px = ImageDecoder.pixels(img);
            byte[] classes = ImageDecoder.mask(m, labels, shownMask);
            return new LabeledImage(px.height(), px.width(), 3, px.rgb(), classes);
        }
    }
}
