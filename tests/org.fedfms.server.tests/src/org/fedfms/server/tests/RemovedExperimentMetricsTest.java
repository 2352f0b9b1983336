package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's {@code /metrics} drops a removed experiment's last-round gauges (evaluation, fit loss),
 * whether it was removed through the admin API or the federation service; the totals keep counting.
 */
class RemovedExperimentMetricsTest {

    private static final String PROVIDER = "metrics-gone";
    private static final List<String> SITES = List.of("site-0", "site-1");

    @Test
    void aRemovedExperimentsGaugesLeaveTheMetrics() throws Exception {
        String byAdmin = PROVIDER;
        String byService = PROVIDER + "-2";
        try (CoordinatorHarness h = new CoordinatorHarness(PROVIDER, SITES, Map.of())) {
            h.fresh(byAdmin);
            h.fresh(byService);
            for (String s : SITES) {
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "2 sites joined");

            runOneRound(h, byAdmin);
            runOneRound(h, byService);
            String both = metrics(h);
            assertTrue(both.contains(gauge(byAdmin)) && both.contains(gauge(byService)), both);
            assertTrue(both.contains(loss(byAdmin)) && both.contains(loss(byService)), both);

            HttpResponse<String> removed = h.call("DELETE", "api/v1/experiments/" + byAdmin, CoordinatorHarness.ADMIN,
                    null);
            assertEquals(200, removed.statusCode(), removed.body());
            String one = metrics(h);
            assertFalse(one.contains(gauge(byAdmin)) || one.contains(loss(byAdmin)),
                    "the experiment removed through the admin API is gone from /metrics:\n" + one);
            assertTrue(one.contains(gauge(byService)) && one.contains(loss(byService)), one);
            assertTrue(one.contains("fedfms_rounds_completed_total 2\n"), "the totals keep counting:\n" + one);

            assertTrue(h.federation.remove(byService, true));
            String none = metrics(h);
            assertFalse(none.contains("experiment=\"" + PROVIDER),
                    "the experiment removed through the federation service is gone too:\n" + none);
            assertTrue(none.contains("fedfms_rounds_completed_total 2\n"), none);
        }
    }

    private static void runOneRound(CoordinatorHarness h, String name) throws Exception {
        String spec = ExperimentSpecJson.toJson(CoordinatorHarness.spec(name, PROVIDER).rounds(1).build());
        HttpResponse<String> created = h.call("POST", "api/v1/experiments", CoordinatorHarness.ADMIN, spec);
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> started = h.call("POST", "api/v1/experiments/" + name + "/start",
                CoordinatorHarness.ADMIN, null);
        assertEquals(202, started.statusCode(), started.body());
        CoordinatorHarness.awaitTrue(() -> h.federation.status(name).state() == ExperimentStatus.State.COMPLETED,
                name + " completed its round: " + h.federation.status(name), 60_000);
        assertEquals(2, h.federation.history(name).get(0).okSites(), h.federation.history(name).toString());
    }

    private static String metrics(CoordinatorHarness h) throws Exception {
        HttpResponse<String> r = h.call("GET", "metrics", null, null);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static String gauge(String experiment) {
        return "fedfms_evaluation{experiment=\"" + experiment + "\",site=\"all\",metric=\"mse\"} ";
    }

    private static String loss(String experiment) {
        return "fedfms_fit_loss{experiment=\"" + experiment + "\",site=\"site-0\"} ";
    }
}
