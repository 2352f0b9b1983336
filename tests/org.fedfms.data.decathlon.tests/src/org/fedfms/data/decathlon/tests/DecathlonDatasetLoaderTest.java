package org.fedfms.data.decathlon.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.testing.fixture.BundleFixtures;
import org.fedfms.testing.fixture.LoaderSamples;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Decathlon loader on tasks written by nibabel (fixtures/make_fixtures.py): two sites, 4-D images of
 * two modalities, anisotropic voxels, labels PZ and TZ. Voxel (i, j, k) of modality c holds
 * 10i + j + 100k + 1000c.
 */
class DecathlonDatasetLoaderTest {

    private static DatasetLoader loader;

    @TempDir
    Path dir;

    @BeforeAll
    static void findService() {
        loader = TestServices.await(DecathlonDatasetLoaderTest.class, DatasetLoader.class, "(id=decathlon)", 10_000);
    }

    @BeforeEach
    void fixtures() throws Exception {
        BundleFixtures.copyTo(DecathlonDatasetLoaderTest.class, dir);
    }

    private Map<String, Object> settings(String root, Object... kv) {
        return LoaderSamples.with(
                LoaderSamples.settings(dir.resolve(root), "intensity", "fixed", "windowLow", 0, "windowHigh", 2550), kv);
    }

    private static List<Sample> all(SiteData s) {
        return LoaderSamples.all(s);
    }

    @Test
    void oneSitePerTaskWithTheModalitiesOfA4dImage() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset"));
        assertEquals(3, ds.classes());
        assertEquals(List.of("Task05_ProstateA", "Task05_ProstateB"), ds.sites().stream().map(SiteData::siteId).toList());
        assertEquals(List.of("prostate_00", "prostate_01"),
                all(ds.sites().get(0)).stream().map(Sample::caseId).distinct().sorted().toList());
        assertTrue(ds.sites().stream().flatMap(s -> all(s).stream()).noneMatch(s -> s.caseId().equals("prostate_99")),
                "imagesTs is not training data");
        Sample s1 = all(ds.sites().get(1)).stream().filter(s -> s.id().equals("prostate_10_z001")).findFirst()
                .orElseThrow();
        LabeledImage img = s1.load();
        int p = 2 * 10 + 3;
        assertEquals(13.2f, img.pixels()[3 * p], 1e-3f, "modality 0 (T2)");
        assertEquals(113.2f, img.pixels()[3 * p + 1], 1e-3f, "modality 1 (ADC)");
        assertEquals(1, img.mask()[p], "PZ is class 1");
    }

    @Test
    void oneTaskDealtToSitesByCsvAndLabelsByName() throws Exception {
        Path csv = dir.resolve("sites.csv");
        Files.writeString(csv, "prostate_00,east\nprostate_01,west\n");
        FederatedDataset ds = loader.load(settings("dataset/Task05_ProstateA", "sites", csv.toString(), "labels", "TZ"));
        assertEquals(2, ds.classes());
        assertEquals(List.of("east", "west"), ds.sites().stream().map(SiteData::siteId).toList());
    }

    @Test
    void everyProblemAtOnceIncludingPathsThatLeaveTheTask() throws Exception {
        DatasetException e = assertThrows(DatasetException.class, () -> loader.load(settings("bad")));
        List<String> p = e.problems();
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("training[1]: Task99_Bad/labelsTr/nolabel_1.nii.gz missing")),
                p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("training[2]: a path leaves the task folder")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("training[3]: case good_0 is listed twice")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("badvalue_2.nii.gz: voxel value 9")), p.toString());
        FederatedDataset ds = loader.load(settings("bad", "skipBad", true));
        assertEquals(List.of("good_0"), all(ds.sites().get(0)).stream().map(Sample::caseId).distinct().toList());
        assertEquals(4, ds.skipped().size(), ds.skipped().toString());
    }
}
