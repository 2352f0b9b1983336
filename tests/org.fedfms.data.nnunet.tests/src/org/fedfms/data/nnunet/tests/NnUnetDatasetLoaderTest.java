package org.fedfms.data.nnunet.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetInspector;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabelScores;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.data.SiteSummary;
import org.fedfms.data.volume.CaseScoring;
import org.fedfms.data.volume.NiftiHeader;
import org.fedfms.data.volume.NiftiVolume;
import org.fedfms.data.volume.VolumeSlicing;
import org.fedfms.testing.fixture.BundleFixtures;
import org.fedfms.testing.fixture.LoaderSamples;
import org.fedfms.testing.fixture.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nnU-Net loader on datasets written by nibabel (fixtures/make_fixtures.py): two sites, two
 * channels per case in separate files, case ids with '_', anisotropic voxels, labels PZ and TZ.
 * Voxel (i, j, k) of channel c holds 10i + j + 100k + 1000c.
 */
class NnUnetDatasetLoaderTest {

    private static DatasetLoader loader;

    @TempDir
    Path dir;

    @BeforeAll
    static void findService() {
        loader = TestServices.await(NnUnetDatasetLoaderTest.class, DatasetLoader.class, "(id=nnunet)", 10_000);
    }

    @BeforeEach
    void fixtures() throws Exception {
        BundleFixtures.copyTo(NnUnetDatasetLoaderTest.class, dir);
    }

    private Map<String, Object> settings(String root, Object... kv) {
        return LoaderSamples.with(
                LoaderSamples.settings(dir.resolve(root), "intensity", "fixed", "windowLow", 0, "windowHigh", 2550), kv);
    }

    private static List<Sample> all(SiteData s) {
        return LoaderSamples.all(s);
    }

    private static Sample sample(FederatedDataset ds, String id) {
        return LoaderSamples.byId(ds, id);
    }

    @Test
    void oneSitePerDatasetFolderWithBothChannelsAndBothLabels() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset"));
        assertEquals(3, ds.classes());
        assertEquals(List.of("Dataset001_SiteA", "Dataset002_SiteB"), ds.sites().stream().map(SiteData::siteId).toList());
        assertEquals(new TreeSet<>(List.of("prostate_01", "prostate_02")),
                new TreeSet<>(all(ds.sites().get(0)).stream().map(Sample::caseId).toList()));
        assertEquals(List.of("case_b_07"), all(ds.sites().get(1)).stream().map(Sample::caseId).distinct().toList());
        // prostate_01: foreground on slices 1 and 2, the first of the empty slices 0, 3, 4 kept (stride 5)
        assertEquals(List.of("prostate_01_z000", "prostate_01_z001", "prostate_01_z002"), all(ds.sites().get(0))
                .stream().map(Sample::id).filter(id -> id.startsWith("prostate_01")).sorted().toList());

        LabeledImage s1 = sample(ds, "prostate_01_z001").load();
        assertEquals(8, s1.height());
        assertEquals(10, s1.width());
        int p = 2 * 10 + 3; // row j=2, column i=3
        assertEquals(13.2f, s1.pixels()[3 * p], 1e-3f, "channel 0 (T2): 132 in a 0..2550 window");
        assertEquals(113.2f, s1.pixels()[3 * p + 1], 1e-3f, "channel 1 (ADC): 1132");
        assertEquals(13.2f, s1.pixels()[3 * p + 2], 1e-3f, "two channels: the first again as the third");
        assertEquals(1, s1.mask()[p], "PZ is class 1");
        LabeledImage s2 = sample(ds, "prostate_01_z002").load();
        assertEquals(2, s2.mask()[3 * 10 + 5], "TZ is class 2");

        List<SiteSummary> info = DatasetInspector.inspect(ds, 2).sites();
        assertEquals("Dataset001_SiteA", info.get(0).siteId(), "dataset-info's line of a site starts with its folder");
        assertEquals(2, info.get(0).cases());
        assertEquals(1, info.get(1).cases());
        assertEquals(5, info.get(0).train(), "slices of the two cases: 3 and 2");

        NiftiHeader h = NiftiVolume.readHeader(dir.resolve("dataset/Dataset001_SiteA/labelsTr/prostate_01.nii.gz"), "x");
        assertArrayEquals(new double[] {0.6, 0.6, 3.0}, h.spacing(), 1e-6);
    }

    @Test
    void labelsChosenByNameOthersBecomeBackground() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset", "labels", "TZ", "emptySliceStride", 1));
        assertEquals(2, ds.classes());
        assertEquals(0, sample(ds, "prostate_01_z001").load().mask()[2 * 10 + 3], "PZ is background now");
        assertEquals(1, sample(ds, "prostate_01_z002").load().mask()[3 * 10 + 5], "TZ is class 1");
        DatasetException e = assertThrows(DatasetException.class,
                () -> loader.load(settings("dataset", "labels", "PZ,CZ")));
        assertTrue(e.problems().stream().anyMatch(l -> l.contains("Dataset001_SiteA/dataset.json: no foreground label "
                + "named CZ (labels: background, PZ, TZ)")), e.problems().toString());
    }

    @Test
    void oneDatasetDealtToSitesByCsv() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset/Dataset001_SiteA", "sites",
                dir.resolve("sites.csv").toString()));
        assertEquals(List.of("north", "south"), ds.sites().stream().map(SiteData::siteId).toList());
        assertEquals(List.of("prostate_01"), all(ds.sites().get(0)).stream().map(Sample::caseId).distinct().toList());
        assertEquals(List.of("prostate_02"), all(ds.sites().get(1)).stream().map(Sample::caseId).distinct().toList());
    }

    @Test
    void everyProblemAtOnceAndSkipBadListsTheSkippedCases() throws Exception {
        DatasetException e = assertThrows(DatasetException.class, () -> loader.load(settings("bad")));
        List<String> p = e.problems();
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("case nochannel_2: missing nochannel_2_0001.nii.gz")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("labelsTr/orphan_4.nii.gz: no image orphan_4_0000.nii.gz")),
                p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("badvalue_3.nii.gz: voxel value 5 at slice 3")), p.toString());
        assertTrue(p.stream().anyMatch(l -> l.contains("numTraining is 5 but imagesTr/labelsTr hold 4 cases")),
                p.toString());

        FederatedDataset ds = loader.load(settings("bad", "skipBad", true));
        assertEquals(List.of("good_1"), all(ds.sites().get(0)).stream().map(Sample::caseId).distinct().toList());
        assertEquals(4, ds.skipped().size(), ds.skipped().toString());
        assertTrue(ds.skipped().stream().anyMatch(l -> l.startsWith("skipped case Dataset009_Bad/badvalue_3: ")),
                ds.skipped().toString());
    }

    @Test
    void casesAreScoredAsWholeVolumesInMillimetres() throws Exception {
        FederatedDataset ds = loader.load(settings("dataset", "emptySliceStride", 1));
        List<CaseScoring.SlicePrediction> perfect = new ArrayList<>();
        List<CaseScoring.SlicePrediction> missedTz = new ArrayList<>();
        for (Sample s : all(ds.sites().get(0))) {
            byte[] truth = s.load().mask();
            perfect.add(new CaseScoring.SlicePrediction((VolumeSlicing.VolumeSlice) s, truth));
            byte[] noTz = truth.clone();
            for (int i = 0; i < noTz.length; i++) {
                noTz[i] = noTz[i] == 2 ? 0 : noTz[i];
            }
            missedTz.add(new CaseScoring.SlicePrediction((VolumeSlicing.VolumeSlice) s, noTz));
        }
        Map<String, List<LabelScores>> ok = CaseScoring.score(perfect);
        assertEquals(List.of("prostate_01", "prostate_02"), List.copyOf(ok.keySet()));
        LabelScores pz = ok.get("prostate_01").get(0);
        assertEquals(1.0, pz.dice(), 1e-12);
        assertEquals(0.0, pz.hd95Mm(), 1e-12);
        assertTrue(ok.get("prostate_02").get(1).absent(), "TZ is absent from both volumes of prostate_02: NaN");

        LabelScores tz = CaseScoring.score(missedTz).get("prostate_01").get(1);
        assertEquals(0.0, tz.dice());
        double diagonal = Math.sqrt(Math.pow(10 * 0.6, 2) + Math.pow(8 * 0.6, 2) + Math.pow(5 * 3.0, 2));
        assertEquals(diagonal, tz.hd95Mm(), 1e-4, "TZ missed in a case that has it: the volume's diagonal in mm");
    }
}
