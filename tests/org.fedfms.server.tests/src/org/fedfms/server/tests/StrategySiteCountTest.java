package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The admin API refuses strategy settings that cannot work with the sites joined, naming the setting. */
class StrategySiteCountTest {

    @Test
    void krumWithTooLargeFIsRefusedAtTheSwapAgainstTheSitesJoined() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("krum-f", List.of("s"), Map.of())) {
            h.fresh("krum-f");
            h.agent("s", "site-0", null);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 1, "joined");
            CoordinatorHarness.awaitTrue(() -> h.federation.strategies().stream().anyMatch(s -> s.id().equals("krum")),
                    "krum present");
            h.federation.create(CoordinatorHarness.spec("krum-f", "krum-f").minSites(1).build());

            HttpResponse<String> r = h.call("POST", "api/v1/experiments/krum-f/strategy", CoordinatorHarness.ADMIN,
                    "{\"strategy\":\"krum\",\"settings\":{\"f\":50}}");
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " " + r.body());
            assertTrue(r.body().contains("f=50") && r.body().contains("1 site(s)"), r.body());
            assertFalse(r.body().contains("Exception"), r.body());
            assertEquals("fedavg", h.federation.status("krum-f").strategyId(), "the strategy is kept");
        }
    }
}
