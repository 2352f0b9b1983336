package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fedfms.federation.ExperimentStatus;

import org.junit.jupiter.api.Test;

/** The admin API refuses strategy settings that cannot work with the sites joined, naming the setting. */
class StrategySiteCountTest {

    @Test
    void bulyanWithTooLargeFIsRefusedAtTheSwapAgainstTheSitesJoined() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("krum-f", List.of("s"), Map.of())) {
            h.fresh("krum-f");
            h.agent("s", "site-0", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 1, "joined");
            CoordinatorHarness.awaitTrue(
                    () -> h.federation.strategies().stream().anyMatch(s -> s.id().equals("bulyan")),
                    "bulyan present");
            h.federation.create(CoordinatorHarness.spec("krum-f", "krum-f").minSites(1).build());

            HttpResponse<String> r = h.call("POST", "api/v1/experiments/krum-f/strategy", CoordinatorHarness.ADMIN,
                    "{\"strategy\":\"bulyan\",\"settings\":{\"f\":50}}");
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " " + r.body());
            assertTrue(r.body().contains("f=50") && r.body().contains("1 site(s)"), r.body());
            assertFalse(r.body().contains("Exception"), r.body());
            assertEquals("fedavg", h.federation.status("krum-f").strategyId(), "the strategy is kept");

            h.fresh("krum-start");
            h.federation.create(CoordinatorHarness.spec("krum-start", "krum-f").minSites(1).rounds(1).strategy("bulyan")
                    .strategySettings(Map.of("f", 0)).build());
            ExperimentStatus done = h.federation.start("krum-start").get(60, TimeUnit.SECONDS);
            assertNotEquals(ExperimentStatus.State.COMPLETED, done.state(), done.toString());
            assertTrue(done.message().contains("f=0") && done.message().contains("at least 3")
                    && done.message().contains("1 site(s)"), done.message());
            assertEquals(List.of(), h.federation.history("krum-start"), "no site trained");
        }
    }
}
