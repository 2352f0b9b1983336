package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationListener;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/** Site agents' progress inside a round, reported to the coordinator and published as the federation's. */
class RemoteProgressTest {

    @Test
    void remoteSitesReportTheirBatchesInsideTheRound() throws Exception {
        List<String> sites = List.of("site-0", "site-1");
        try (CoordinatorHarness h = new CoordinatorHarness("remote-progress", sites, Map.of())) {
            h.fresh("remote-progress");
            sites.forEach(s -> {
                try {
                    h.agent(s, s, null);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "2 sites joined");
            List<FederationEvent.SiteProgress> seen = new CopyOnWriteArrayList<>();
            FederationListener listener = e -> {
                if (e instanceof FederationEvent.SiteProgress p && p.experiment().equals("remote-progress")) {
                    seen.add(p);
                }
            };
            h.federation.addListener(listener);
            try {
                h.federation.create(CoordinatorHarness.spec("remote-progress", "remote-progress").minSites(2)
                        .rounds(1).build());
                RoundResult r = h.federation.runRound("remote-progress");
                assertEquals(2, r.okSites(), r.sites().toString());
            } finally {
                h.federation.removeListener(listener);
            }
            for (String s : sites) {
                List<FederationEvent.SiteProgress> of = seen.stream().filter(p -> p.site().equals(s)).toList();
                assertTrue(!of.isEmpty(), "progress of " + s + " reached the federation: " + seen);
                FederationEvent.SiteProgress first = of.get(0);
                assertEquals(1, first.round());
                assertTrue(first.batches() >= 1 && first.batch() >= 1 && first.batch() <= first.batches()
                        && first.samples() > 0, first.toString());
            }
            assertEquals(sites, List.copyOf(h.federation.progress("remote-progress").keySet()),
                    "the status shows the sites' last progress of the round");
            h.fresh("remote-progress");
        }
    }

    @Test
    void progressReportsAreBoundedAndAtMostOneASecond() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("raw-progress", List.of("raw"), Map.of())) {
            h.fresh("raw-progress");
            RawSite raw = new RawSite(h, "raw");
            assertEquals(200, raw.join(24).statusCode());
            h.federation.create(CoordinatorHarness.spec("raw-progress", "raw-progress").minSites(1).rounds(1)
                    .roundDeadlineSeconds(20).build());
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.federation.runRound("raw-progress");
                } catch (RuntimeException e) {
                    return e;
                }
            });
            JsonObject task = raw.task();
            if (task.get("kind").getAsString().equals("INITIAL")) {
                assertEquals(200, raw.upload(task, raw.update("raw-progress", 0, 0, RawSite.params(0f, 0f)))
                        .statusCode());
                task = raw.task();
            }
            assertEquals("FIT", task.get("kind").getAsString());
            String path = raw.path(task, "progress");
            assertEquals(422, h.call("POST", path, raw.token, "{\"batch\": 5, \"batches\": 4, \"samples\": 8}")
                    .statusCode(), "batch beyond batches");
            assertEquals(422, h.call("POST", path, raw.token, "{\"batch\": 1, \"batches\": 4000000000}")
                    .statusCode(), "batches beyond the bound");
            assertEquals(400, h.call("POST", path, raw.token, "{\"batch\": 1, \"batches\": 4, \"text\": \"x\"}")
                    .statusCode(), "nothing but numbers");
            assertEquals(200, h.call("POST", path, raw.token, "{\"batch\": 1, \"batches\": 4, \"samples\": 8}")
                    .statusCode());
            assertEquals(429, h.call("POST", path, raw.token, "{\"batch\": 2, \"batches\": 4, \"samples\": 16}")
                    .statusCode(), "a second report within a second is dropped");
            FederationEvent.SiteProgress p = h.federation.progress("raw-progress").get("raw");
            assertEquals(List.of(1, 4, 8L), List.of(p.batch(), p.batches(), p.samples()), p.toString());
            JsonObject shown = com.google.gson.JsonParser.parseString(h.call("GET",
                    "api/v1/experiments/raw-progress/progress", CoordinatorHarness.ADMIN, null).body())
                    .getAsJsonObject().getAsJsonObject("raw");
            assertEquals(1, shown.get("batch").getAsInt(), "the admin API shows it: " + shown);
            assertEquals(4, shown.get("batches").getAsInt());
            assertEquals(200, raw.upload(task, raw.update("raw-progress", 1, 24, RawSite.params(1f, 0f)))
                    .statusCode());
            JsonObject evaluate = raw.task();
            assertEquals("EVALUATE", evaluate.get("kind").getAsString());
            assertEquals(200, h.call("POST", raw.path(evaluate, "evaluation"), raw.token,
                    "{\"sampleCount\": 24, \"metrics\": {\"mse\": 0.5}}").statusCode());
            run.get(30, TimeUnit.SECONDS);
            h.fresh("raw-progress");
        }
    }
}
