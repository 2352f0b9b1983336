package org.fedfms.server.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;

/**
 * Test fixture: {@code sites} sites named {@code site-0 ...} with a few dummy samples per split. The
 * linear-regression trainer generates each site's numbers itself; only the sample counts matter.
 */
public final class FixtureDatasetLoader implements DatasetLoader {

    static final String ID = "fixture";

    /** The fixture's settings. */
    public record Settings(
            @Setting(description = "number of sites", min = 1, max = 100) int sites,
            @Setting(description = "training samples per site", min = 0, max = 100_000) int trainSamples,
            @Setting(description = "validation samples per site", min = 0, max = 100_000) int validationSamples,
            @Setting(description = "test samples per site", min = 0, max = 100_000) int testSamples) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("loader " + ID, Settings.class, new Settings(4, 24, 8, 8));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "test fixture: N sites with dummy samples";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public FederatedDataset load(Map<String, ?> settings) {
        Settings s = SCHEMA.bind(settings);
        List<SiteData> sites = new ArrayList<>();
        for (int i = 0; i < s.sites(); i++) {
            String id = "site-" + i;
            sites.add(new SiteData(id, samples(id + "/train", s.trainSamples()),
                    samples(id + "/val", s.validationSamples()), samples(id + "/test", s.testSamples())));
        }
        return new FederatedDataset("fixture", 2, sites);
    }

    private static List<Sample> samples(String prefix, int n) {
        List<Sample> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            list.add(new Sample() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public LabeledImage load() {
                    return new LabeledImage(1, 1, 1, new float[] {0}, new byte[] {0});
                }
            });
        }
        return list;
    }
}
