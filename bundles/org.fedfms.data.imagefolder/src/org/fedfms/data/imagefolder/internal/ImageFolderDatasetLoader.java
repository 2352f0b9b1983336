package org.fedfms.data.imagefolder.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.CaseHandling;
import org.fedfms.data.CaseIds;
import org.fedfms.data.ClassLabeler;
import org.fedfms.data.LabelSettings;
import org.fedfms.data.PairedFilesLoader;
import org.fedfms.data.PairedFolders;
import org.fedfms.data.LabelMapping;
import org.osgi.service.component.annotations.Component;

/**
 * Reads {@code <root>/<site>/images/*} with {@code <root>/<site>/masks/*} matched by base name:
 * PNG, JPEG, BMP, GIF or TIFF through the JDK's ImageIO; binary (0/1, 0/255) or label masks.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + ImageFolderDatasetLoader.ID)
public class ImageFolderDatasetLoader extends PairedFilesLoader<ImageFolderDatasetLoader.Settings>
        implements DatasetLoader {

    static final String ID = "imagefolder";

    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff");

    /** The image folder dataset's settings. */
    public record Settings(
            PairedFolders folders,
            @Setting(description = "what a mask's base name adds to its image's base name, e.g. _mask")
            String maskSuffix,
            LabelSettings labels,
            @Setting(description = CaseIds.SETTING_DESCRIPTION)
            String casePattern,
            CaseHandling cases) implements PairedFilesLoader.Files {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings(new PairedFolders("", "images", "masks"), "", LabelSettings.DEFAULTS, "",
                    CaseHandling.DEFAULTS));

    public ImageFolderDatasetLoader() {
        super(ID, "image folders <root>/<site>/images + masks (PNG, JPEG, BMP, GIF, TIFF), binary or label masks",
                SCHEMA, EXTENSIONS, ClassLabeler.DOMINANT_CLASS);
    }

    @Override
    protected PairReader reader(Settings s, LabelMapping labels, UnaryOperator<String> cases) {
        return onePerPair(cases, (image, mask, shownImage, shownMask) -> {
            BufferedImage img = ImageDecoder.read(image, shownImage);
            BufferedImage m = ImageDecoder.read(mask, shownMask);
            if (img.getHeight() != m.getHeight() || img.getWidth() != m.getWidth()) {
                throw new IOException(shownImage + " is " + img.getHeight() + "x" + img.getWidth()
                        + " (HxW) but its mask " + shownMask + " is " + m.getHeight() + "x" + m.getWidth());
            }
            ImageDecoder.Pixels px = ImageDecoder.pixels(img);
            byte[] classes = ImageDecoder.mask(m, labels, shownMask);
            return new LabeledImage(px.height(), px.width(), 3, px.rgb(), classes);
        });
    }
}
