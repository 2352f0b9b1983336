package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.federation.ExperimentSpec;
import org.fedfms.site.internal.SiteAgentConfig;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.junit.jupiter.api.Test;

/**
 * The coordinator as a site provider is ready for a round once as many sites as the experiment's minSites
 * have joined with training samples, the held-out site of leave-one-site-out not counted: what an
 * interrupted run waits for before it goes on by itself.
 */
class CoordinatorReadyTest {

    @Test
    void readyOnceMinSitesWithTrainingSamplesHaveJoined() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("ready", List.of("site-0", "site-1", "site-2"),
                Map.of())) {
            ExperimentSpec federated = CoordinatorHarness.spec("ready-federated", "ready").minSites(2).build();
            ExperimentSpec loso = CoordinatorHarness.spec("ready-loso", "ready")
                    .protocol(ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT).unseenSite("site-0").minSites(2).build();
            assertFalse(h.coordinator.ready(federated), "no site joined");

            h.agent("site-0", "site-0", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 1, "site-0 joined");
            assertFalse(h.coordinator.ready(federated), "one site of two");

            h.agent(new SiteAgentConfig(h.coordinator.uri(), "site-1", CoordinatorHarness.token("site-1"),
                    h.coordinator.fingerprint(), null, null, FixtureDatasetLoader.ID,
                    Map.of("sites", "3", "trainSamples", "0"), "site-1", 50, 500, 2), null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "site-1 joined");
            assertFalse(h.coordinator.ready(federated), "site-1 has no training samples");

            h.agent("site-2", "site-2", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "site-2 joined");
            assertTrue(h.coordinator.ready(federated), "site-0 and site-2 train");
            assertFalse(h.coordinator.ready(loso), "site-0 is held out: only site-2 trains");
            assertTrue(h.coordinator.ready(CoordinatorHarness.spec("ready-loso-1", "ready")
                    .protocol(ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT).unseenSite("site-0").minSites(1).build()));
        }
    }
}
