package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fedfms.api.data.Sample;
import org.junit.jupiter.api.Test;

/** {@link Sample#stem}: the names of files written for a sample carry no second extension. */
class SampleStemTest {

    @Test
    void imageAndVolumeExtensionsAreDropped() {
        assertEquals("img_01", Sample.stem("img_01.png"));
        assertEquals("scan", Sample.stem("scan.JPG"));
        assertEquals("prostate_01", Sample.stem("prostate_01.nii.gz"));
        assertEquals("prostate_01", Sample.stem("prostate_01.nii"));
        assertEquals("case_3.npy_x", Sample.stem("case_3.npy_x"), "only a final extension");
        assertEquals("slice-000003", Sample.stem("slice-000003"));
        assertEquals("a.b", Sample.stem("a.b"), "an unknown extension stays");
    }
}
