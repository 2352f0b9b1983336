package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetValidation;
import org.fedfms.api.data.DatasetValidator;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.data.DatasetBuilder;
import org.fedfms.data.Partition;
import org.fedfms.data.SplitSettings;
import org.fedfms.data.SplitUnit;
import org.junit.jupiter.api.Test;

class DatasetBuilderTest {

    private static final SplitSettings NATURAL = SplitSettings.natural(0.1, 0.2, SplitUnit.CASE, 1);

    @Test
    void everyProblemIsReportedAtOnce() {
        DatasetBuilder b = new DatasetBuilder("demo", 2)
                .site("A", TestSamples.cases("a", 3, 1, 1))
                .site("B", List.of())
                .badCase("A", "a-c9", "A/images/a-c9.png: no mask named 'a-c9.*' in A/masks")
                .badCase("A", "orphan", "A/masks/orphan.png: no image named 'orphan.*' in A/images")
                .problem("casePattern '(' is not a regular expression");
        DatasetException e = assertThrows(DatasetException.class, () -> b.build(NATURAL, false));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.problems().contains("site B: no samples"), e.getMessage());
        assertTrue(e.getMessage().contains("A/images/a-c9.png: no mask"), e.getMessage());
        assertTrue(e.getMessage().contains("A/masks/orphan.png: no image"), e.getMessage());
    }

    @Test
    void skipBadLeavesOutWholeBadCasesAndListsThem() throws Exception {
        List<Sample> a = new ArrayList<>(TestSamples.cases("a", 4, 2, 1));
        a.add(new TestSamples.Broken("a-c9-s0", "a-c9"));
        a.add(new TestSamples.Tiny("a-c9-s1", "a-c9", 1));
        a.add(new TestSamples.BadLabel("a-c8-s0", "a-c8"));
        DatasetBuilder b = new DatasetBuilder("demo", 2).site("A", a).site("B", TestSamples.cases("b", 3, 1, 1))
                .site("C", List.of()).badCase("B", "b-c7", "B/images/b-c7.png: no mask");
        assertThrows(DatasetException.class, () -> b.build(NATURAL, false));
        FederatedDataset ds = b.build(NATURAL, true);
        assertEquals(List.of("A", "B"), ds.sites().stream().map(SiteData::siteId).toList());
        SiteData siteA = ds.site("A").orElseThrow();
        assertEquals(8, siteA.train().size() + siteA.validation().size() + siteA.test().size());
        String skipped = String.join("\n", ds.skipped());
        assertEquals(4, ds.skipped().size(), skipped);
        assertTrue(skipped.contains("skipped case A/a-c9: A/a-c9-s0: a-c9-s0: cannot read: corrupt data"), skipped);
        assertTrue(skipped.contains("skipped case A/a-c8: A/a-c8-s0: mask label 7 at row 1, column 1"), skipped);
        assertTrue(skipped.contains("skipped case B/b-c7: B/images/b-c7.png: no mask"), skipped);
        assertTrue(skipped.contains("skipped site C: it has no samples"), skipped);
        DatasetValidation v = DatasetValidator.validate(ds);
        assertEquals(4, v.problems().size(), "skipped cases stay problems for validation");
        assertEquals(11, v.samplesChecked());
    }

    @Test
    void generalProblemsFailEvenWithSkipBad() {
        DatasetBuilder b = new DatasetBuilder("demo", 2).site("A", TestSamples.cases("a", 3, 1, 1))
                .problem("labelValues lists 3 values but classes=2");
        DatasetException e = assertThrows(DatasetException.class, () -> b.build(NATURAL, true));
        assertEquals(List.of("labelValues lists 3 values but classes=2"), e.problems());
    }

    @Test
    void splitSettingsPartitionAndHoldOut() throws Exception {
        DatasetBuilder b = new DatasetBuilder("demo", 2).site("A", TestSamples.cases("a", 12, 1, 1))
                .site("B", TestSamples.cases("b", 12, 1, 1));
        FederatedDataset iid = b.build(new SplitSettings(Partition.IID, 4, 1, 0, 0.25, SplitUnit.CASE, "site-2", 9),
                false);
        assertEquals(4, iid.sites().size());
        SiteData held = iid.site("site-2").orElseThrow();
        assertEquals(6, held.test().size());
        assertEquals(0, held.train().size());
        assertEquals(4, iid.site("site-1").orElseThrow().train().size());
        DatasetException e = assertThrows(DatasetException.class, () -> b.build(
                new SplitSettings(Partition.NATURAL, 0, 1, 0, 0.2, SplitUnit.CASE, "Z", 9), false));
        assertTrue(e.getMessage().contains("cannot hold out site 'Z'"), e.getMessage());
    }

    @Test
    void validatorReportsBrokenSamplesBadLabelsAndLeakingCasesTogether() {
        SiteData site = new SiteData("A",
                List.of(new TestSamples.Tiny("x1", "p1", 1), new TestSamples.Broken("x2", "p2"),
                        new TestSamples.Tiny("x1", "p3", 1)),
                List.of(new TestSamples.Tiny("x4", "p1", 1)),
                List.of(new TestSamples.BadLabel("x5", "p5")));
        DatasetValidation v = DatasetValidator.validate(new FederatedDataset("demo", 2, List.of(site)));
        String all = String.join("\n", v.problems());
        assertEquals(4, v.problems().size(), all);
        assertTrue(all.contains("A/x1: sample id appears twice"), all);
        assertTrue(all.contains("A: case p1 is in both the train and the validation split"), all);
        assertTrue(all.contains("A/x2: x2: cannot read: corrupt data"), all);
        assertTrue(all.contains("A/x5: mask label 7"), all);
        assertEquals(5, v.samplesChecked());
    }
}
