package org.fedfms.data.synthetic.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.DatasetBuilder;
import org.fedfms.data.DescribedLoader;
import org.fedfms.data.SplitSettings;
import org.osgi.service.component.annotations.Component;

/**
 * The default dataset of every demo: a seeded multi-site generator of medical-looking slices whose
 * sites differ in intensity, contrast, noise, blur, resolution, field of view and class balance, so
 * that a model trained on one site does worse on another. Samples are rendered on demand.
 */
@Component(property = DatasetLoader.ID_PROPERTY + "=" + SyntheticDatasetLoader.ID)
public class SyntheticDatasetLoader extends DescribedLoader<SyntheticDatasetLoader.Settings> implements DatasetLoader {

    static final String ID = "synthetic";

    /** The synthetic dataset's settings. */
    public record Settings(
            @Setting(description = "number of sites (hospitals)", min = 1, max = 64)
            int sites,
            @Setting(description = "samples (slices) per site", min = 1, max = 10_000_000)
            int samplesPerSite,
            @Setting(description = "image height and width in pixels", min = 16, max = 2048)
            int imageSize,
            @Setting(description = "how much sites differ: 0 identical distributions, 1 strong shift of intensity, "
                    + "contrast, noise, blur, resolution, field of view and class balance", min = 0, max = 1)
            double shiftStrength,
            @Setting(description = "classes including background: 2 (organ) or 3 (organ, lesion)", min = 2, max = 3)
            int classes,
            @Setting(description = "consecutive slices that form one case (patient)", min = 1, max = 10_000)
            int slicesPerCase,
            SplitSettings split) {
    }

    private static final SettingsSchema<Settings> SCHEMA = SettingsSchema.of("dataset " + ID, Settings.class,
            new Settings(4, 40, 64, 0.6, 2, 4, SplitSettings.DEFAULTS));

    public SyntheticDatasetLoader() {
        super(ID, "synthetic multi-site slices with organ/lesion masks and per-site domain shift (generated, nothing read)", SCHEMA);
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) throws DatasetException {
        Settings s = bind(settings);
        SyntheticGenerator generator = new SyntheticGenerator(s.imageSize(), s.classes(), s.slicesPerCase(), s.split().seed());
        String name = String.format(Locale.ROOT, "synthetic (%d sites x %d, %d px, shift %.2f, seed %d)", s.sites(),
                s.samplesPerSite(), s.imageSize(), s.shiftStrength(), s.split().seed());
        DatasetBuilder builder = new DatasetBuilder(name, s.classes());
        for (int site = 0; site < s.sites(); site++) {
            SiteDomain domain = SiteDomain.of(site, s.sites(), s.shiftStrength(), s.split().seed());
            List<Sample> samples = new ArrayList<>(s.samplesPerSite());
            for (int i = 0; i < s.samplesPerSite(); i++) {
                samples.add(new SyntheticSample(generator, domain, site, i));
            }
            builder.site(siteId(site), samples);
        }
        builder.labeler(sample -> sample instanceof SyntheticSample ss ? ss.label()
                : org.fedfms.data.ClassLabeler.DOMINANT_CLASS.label(sample));
        return builder.build(s.split(), false);
    }

    /** The id of site {@code index} (0-based). */
    public static String siteId(int index) {
        return "site-" + (index + 1);
    }

    /** The site domains the settings give, in site order (for tests and reports). */
    public static List<SiteDomain> domains(Map<String, ?> settings) {
        Settings s = SCHEMA.bind(settings);
        List<SiteDomain> l = new ArrayList<>();
        for (int site = 0; site < s.sites(); site++) {
            l.add(SiteDomain.of(site, s.sites(), s.shiftStrength(), s.split().seed()));
        }
        return l;
    }

    private static String padded(int n, int digits) {
        String s = Integer.toString(n);
        return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
    }

    /** One generated slice: its pixels exist only while the caller holds the loaded image. */
    record SyntheticSample(SyntheticGenerator generator, SiteDomain domain, int site, int index) implements Sample {

        @Override
        public String id() {
            return "slice-" + padded(index, 6);
        }

        @Override
        public String caseId() {
            return "case-" + padded(generator.caseOf(index), 5);
        }

        @Override
        public LabeledImage load() {
            return generator.render(domain, site, index);
        }

        int label() {
            return generator.label(domain, site, index);
        }
    }
}
