package org.fedfms.data.synthetic.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.data.synthetic.internal.SiteDomain;
import org.fedfms.data.synthetic.internal.SyntheticDatasetLoader;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The synthetic loader, obtained as the OSGi service it is. */
class SyntheticDatasetLoaderTest {

    private static DatasetLoader loader;

    @BeforeAll
    static void findService() {
        loader = TestServices.await(SyntheticDatasetLoaderTest.class, DatasetLoader.class, "(id=synthetic)", 10_000);
    }

    private static List<Sample> all(SiteData s) {
        List<Sample> l = new ArrayList<>();
        for (DataSplit split : DataSplit.values()) {
            l.addAll(s.split(split));
        }
        l.sort(Comparator.comparing(Sample::id));
        return l;
    }

    @Test
    void defaultsGiveFourSitesSplitByCase() throws Exception {
        assertEquals("synthetic", loader.id());
        FederatedDataset ds = loader.load(Map.of());
        assertEquals(2, ds.classes());
        assertEquals(List.of("site-1", "site-2", "site-3", "site-4"), ds.sites().stream().map(SiteData::siteId).toList());
        for (SiteData s : ds.sites()) {
            assertEquals(28, s.train().size());
            assertEquals(4, s.validation().size());
            assertEquals(8, s.test().size());
            assertEquals(List.of(), DatasetValidator.splitProblems(s));
        }
        LabeledImage img = ds.sites().get(0).train().get(0).load();
        assertEquals(64, img.height());
        assertEquals(64, img.width());
        assertEquals(3, img.channels());
        assertTrue(DatasetValidator.validate(ds).valid());
    }

    @Test
    void sameSeedSamePixelsOtherSeedOtherPixels() throws Exception {
        Map<String, Object> a = Map.of("seed", 7, "sites", 2, "samplesPerSite", 6);
        Sample s1 = all(loader.load(a).sites().get(1)).get(3);
        Sample s2 = all(loader.load(a).sites().get(1)).get(3);
        LabeledImage i1 = s1.load();
        LabeledImage i2 = s2.load();
        assertArrayEquals(i1.pixels(), i2.pixels());
        assertArrayEquals(i1.mask(), i2.mask());
        assertArrayEquals(i1.pixels(), s1.load().pixels(), "loading twice gives the same pixels");
        Sample other = all(loader.load(Map.of("seed", 8, "sites", 2, "samplesPerSite", 6)).sites().get(1)).get(3);
        assertFalse(Arrays.equals(i1.pixels(), other.load().pixels()));
    }

    /** Per-site statistics measured from pixels alone. */
    private record Stats(double tissueMean, double noise, double organFraction) {
    }

    /**
     * Tissue mean: mean of background pixels well inside the body; noise: sqrt(mean squared
     * difference of horizontal neighbours / 2) over those pixels (noise is added last and independent
     * per pixel, the texture is smooth); organ fraction: foreground share of slices that show the organ.
     */
    private static Stats stats(List<Sample> samples) throws Exception {
        double sum = 0;
        double sq = 0;
        long n = 0;
        long fg = 0;
        long fgImages = 0;
        for (Sample s : samples) {
            LabeledImage img = s.load();
            int w = img.width();
            int h = img.height();
            byte[] m = img.mask();
            int organ = 0;
            for (byte b : m) {
                organ += b != 0 ? 1 : 0;
            }
            if (organ > 0) {
                fg += organ;
                fgImages++;
            }
            for (int y = h / 4; y < 3 * h / 4; y++) {
                for (int x = w / 4; x < 3 * w / 4; x++) {
                    if (nearOrgan(m, w, h, y, x)) {
                        continue;
                    }
                    float a = img.pixels()[(y * w + x) * 3];
                    float b = img.pixels()[(y * w + x + 1) * 3];
                    if (a <= 0 || a >= 255 || b <= 0 || b >= 255) {
                        continue;
                    }
                    sum += a;
                    sq += (a - b) * (a - b);
                    n++;
                }
            }
        }
        return new Stats(sum / n, Math.sqrt(sq / n / 2), fgImages == 0 ? 0 : fg / (double) (fgImages * 64 * 64));
    }

    private static boolean nearOrgan(byte[] m, int w, int h, int y, int x) {
        for (int dy = -3; dy <= 3; dy++) {
            for (int dx = -3; dx <= 4; dx++) {
                int yy = Math.min(h - 1, Math.max(0, y + dy));
                int xx = Math.min(w - 1, Math.max(0, x + dx));
                if (m[yy * w + xx] != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int[] ranks(double[] v) {
        Integer[] idx = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        int[] r = new int[v.length];
        for (int k = 0; k < idx.length; k++) {
            r[idx[k]] = k;
        }
        return r;
    }

    @Test
    void domainShiftIsMeasurableAndFollowsTheSettings() throws Exception {
        Map<String, Object> shifted = Map.of("shiftStrength", 1.0, "samplesPerSite", 48, "imageSize", 64);
        FederatedDataset ds = loader.load(shifted);
        List<SiteDomain> domains = SyntheticDatasetLoader.domains(shifted);
        int k = ds.sites().size();
        double[] mean = new double[k];
        double[] noise = new double[k];
        double[] organ = new double[k];
        double[] wantMean = new double[k];
        double[] wantNoise = new double[k];
        double[] wantOrgan = new double[k];
        for (int i = 0; i < k; i++) {
            Stats st = stats(all(ds.sites().get(i)));
            mean[i] = st.tissueMean();
            noise[i] = st.noise();
            organ[i] = st.organFraction();
            wantMean[i] = domains.get(i).background();
            wantNoise[i] = domains.get(i).noiseSigma();
            wantOrgan[i] = domains.get(i).fieldOfView();
            assertEquals(wantMean[i], mean[i], 8, "site " + i + " tissue mean");
            assertEquals(wantNoise[i], noise[i], 0.2 * wantNoise[i] + 1.0, "site " + i + " noise");
        }
        assertArrayEquals(ranks(wantMean), ranks(mean), "tissue means ordered as configured " + Arrays.toString(mean));
        assertArrayEquals(ranks(wantNoise), ranks(noise), "noise ordered as configured " + Arrays.toString(noise));
        assertArrayEquals(ranks(wantOrgan), ranks(organ), "organ sizes ordered by field of view " + Arrays.toString(organ));
        double spread = Arrays.stream(mean).max().orElseThrow() - Arrays.stream(mean).min().orElseThrow();
        assertTrue(spread > 50, "shift 1 moves site means apart: " + Arrays.toString(mean));

        FederatedDataset flat = loader.load(Map.of("shiftStrength", 0.0, "samplesPerSite", 48));
        double[] flatMean = new double[k];
        double[] flatNoise = new double[k];
        for (int i = 0; i < k; i++) {
            Stats st = stats(all(flat.sites().get(i)));
            flatMean[i] = st.tissueMean();
            flatNoise[i] = st.noise();
        }
        for (int i = 1; i < k; i++) {
            assertEquals(flatMean[0], flatMean[i], 3, "shift 0: same tissue mean " + Arrays.toString(flatMean));
            assertEquals(flatNoise[0], flatNoise[i], 1, "shift 0: same noise " + Arrays.toString(flatNoise));
        }
    }

    @Test
    void threeClassesMarkLesionsInsideOrgans() throws Exception {
        FederatedDataset ds = loader.load(Map.of("classes", 3, "sites", 1, "samplesPerSite", 40, "shiftStrength", 0));
        int lesion = 0;
        for (Sample s : all(ds.sites().get(0))) {
            byte[] m = s.load().mask();
            for (byte b : m) {
                lesion += b == 2 ? 1 : 0;
            }
        }
        assertTrue(lesion > 0, "some lesion pixels");
        assertEquals(3, ds.classes());
    }

    @Test
    void aDatasetFarLargerThanTheHeapLoadsLazily() throws Exception {
        int perSite = 250_000;
        long pixelBytes = 4L * perSite * 256 * 256 * 3 * 4;
        assertTrue(pixelBytes > 4 * Runtime.getRuntime().maxMemory(), "the test must exceed the heap");
        FederatedDataset ds = loader.load(Map.of("samplesPerSite", perSite, "imageSize", 256, "splitBy", "image"));
        assertEquals(4 * perSite, ds.sites().stream()
                .mapToInt(s -> s.train().size() + s.validation().size() + s.test().size()).sum());
        Sample last = ds.sites().get(3).train().get(ds.sites().get(3).train().size() - 1);
        assertEquals(256, last.load().height());
    }

    @Test
    void dirichletPartitionUsesTheGeneratorsLabels() throws Exception {
        FederatedDataset ds = loader.load(Map.of("partition", "dirichlet", "partitionSites", 3, "dirichletAlpha", 0.3,
                "classes", 3, "samplesPerSite", 30, "slicesPerCase", 1));
        assertEquals(3, ds.sites().size());
        assertEquals(120, ds.sites().stream().mapToInt(s -> all(s).size()).sum());
        Map<String, Integer> perSite = new HashMap<>();
        ds.sites().forEach(s -> perSite.put(s.siteId(), all(s).size()));
        assertTrue(ds.sites().stream().allMatch(s -> !all(s).isEmpty()), perSite.toString());
    }

    @Test
    void badSettingsNameTheSetting() {
        DatasetException e = assertThrows(DatasetException.class, () -> loader.load(Map.of("sites", 0)));
        assertTrue(e.getMessage().contains("'sites' = 0 is outside [1, 64]"), e.getMessage());
        DatasetException f = assertThrows(DatasetException.class, () -> loader.load(Map.of("colour", "red")));
        assertTrue(f.getMessage().contains("unknown setting 'colour'"), f.getMessage());
    }
}
