package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.fedfms.federation.FederationEvent.SiteProgress;
import org.fedfms.ui.internal.parts.ExperimentRuns;
import org.junit.jupiter.api.Test;

/** The run job's sub-task shows the sites' progress inside the round it is in. */
class ExperimentRunsTest {

    @Test
    void subTaskShowsEachSitesBatchAndEtaOfTheCurrentRoundOnly() {
        // site-1: 3 of 12 batches in 15 s, so 45 s to go; site-2: all 12 done; site-0 is from the round before
        List<SiteProgress> progress = List.of(new SiteProgress("x", 2, "site-0", 6, 6, 48, 9_000),
                new SiteProgress("x", 3, "site-1", 3, 12, 24, 15_000),
                new SiteProgress("x", 3, "site-2", 12, 12, 96, 61_000));
        assertEquals(" | site-1 batch 3/12, ETA 0:45, site-2 batch 12/12, ETA 0:00",
                ExperimentRuns.training(progress, 3));
        assertEquals("", ExperimentRuns.training(progress, 4));
        assertEquals(1.6, progress.get(1).samplesPerSecond(), 1e-9);
    }
}
