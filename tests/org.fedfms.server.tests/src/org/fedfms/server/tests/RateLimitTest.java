package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.api.RoundResult;
import org.fedfms.server.internal.SiteRateLimiter;
import org.fedfms.site.internal.SiteAgent;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/** Requests per second per site credential: 429 with Retry-After past the limit; site agents wait and go on. */
class RateLimitTest {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2");

    @Test
    void tokenBucketsPerSite() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        SiteRateLimiter l = new SiteRateLimiter(1, 2, now::get);
        assertEquals(0, l.acquire("a"));
        assertEquals(0, l.acquire("a"), "a burst of 2");
        assertEquals(1_000_000_000L, l.acquire("a"), "the third waits a whole token");
        assertEquals(0, l.acquire("b"), "each site has its own bucket");
        now.addAndGet(500_000_000L);
        assertEquals(500_000_000L, l.acquire("a"));
        now.addAndGet(500_000_000L);
        assertEquals(0, l.acquire("a"));
        assertEquals(1_000_000_000L, l.acquire("a"));
        now.addAndGet(60_000_000_000L);
        assertEquals(0, l.acquire("a"));
        assertEquals(0, l.acquire("a"), "an idle site saves up to its burst, no more");
        assertTrue(l.acquire("a") > 0);

        SiteRateLimiter off = new SiteRateLimiter(0, 0, now::get);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, off.acquire("a"), "0 requests per second: no limit");
        }
        assertThrows(IllegalArgumentException.class, () -> new SiteRateLimiter(-1, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new SiteRateLimiter(2, 0, now::get));
    }

    @Test
    void aSiteOverItsRateGets429WithRetryAfterAndOthersAreNotAffected() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("ratelimit", SITES, Map.of("limits.requestsPerSecond",
                "0.5", "limits.requestBurst", "1"))) {
            String site0 = CoordinatorHarness.token("site-0");
            assertEquals(200, h.call("POST", "api/v1/sites/site-0/join", site0, "{}").statusCode());
            HttpResponse<String> limited = null;
            for (int i = 0; i < 5 && limited == null; i++) {
                HttpResponse<String> r = h.call("GET", "api/v1/sites/site-0/task?wait=0", site0, null);
                if (r.statusCode() == 429) {
                    limited = r;
                }
            }
            assertNotNull(limited, "one request per 2 s, bursts of 1: a quick second request is refused");
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
            String error = JsonParser.parseString(limited.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(error.contains("site 'site-0'") && error.contains("limits.requestsPerSecond")
                    && error.contains("retry after"), error);

            assertEquals(200, h.call("POST", "api/v1/sites/site-1/join", CoordinatorHarness.token("site-1"), "{}")
                    .statusCode(), "site-1 has its own budget");
            for (int i = 0; i < 5; i++) {
                assertEquals(200, h.call("GET", "api/v1/experiments", CoordinatorHarness.ADMIN, null).statusCode(),
                        "the admin is not limited");
            }
            HttpResponse<String> metrics = h.call("GET", "metrics", null, null);
            assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("fedfms_requests_rate_limited_total ")
                    && !l.endsWith(" 0")), metrics.body());
        }
    }

    @Test
    void siteAgentsHonourRetryAfterAndFinishTheirRounds() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("ratelimit-agents", SITES, Map.of(
                "limits.requestsPerSecond", "2", "limits.requestBurst", "2"))) {
            h.fresh("ratelimit-agents");
            List<SiteAgent> agents = new ArrayList<>();
            for (String s : SITES) {
                agents.add(h.agent(s, s, null));
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("ratelimit-agents", "ratelimit-agents").minSites(3).rounds(1)
                    .build());
            List<RoundResult> rounds = h.federation.runRounds("ratelimit-agents", 1);
            for (RoundResult r : rounds) {
                assertEquals(3, r.okSites(), "round " + r.round() + ": " + r.sites());
            }
            long waits = agents.stream().mapToLong(SiteAgent::retryAfterWaits).sum();
            assertTrue(waits > 0, "the agents were told to wait and did (a fetch, download and upload of a round "
                    + "come faster than 2 per second)");
            HttpResponse<String> metrics = h.call("GET", "metrics", null, null);
            assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("fedfms_requests_rate_limited_total ")
                    && !l.endsWith(" 0")), metrics.body());
        }
    }
}
