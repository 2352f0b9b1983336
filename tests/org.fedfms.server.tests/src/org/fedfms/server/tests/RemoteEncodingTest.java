package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.site.internal.SiteCoding;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.TestFiles;
import org.fedfms.wire.DeltaCoding;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.TaskMessage;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/**
 * An experiment's encoding between the coordinator and site agents on loopback: coded downloads (deltas against
 * the global a site holds) and coded updates (deltas with error feedback, the residual kept on disk), the same
 * result as the in-process simulation with that encoding, and bytes per round that are the coded messages' sizes.
 */
class RemoteEncodingTest {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2");
    private static final String ENCODING = "up=topk:0.5+int8/2,down=int8/2";

    @Test
    void codedRemoteSitesReachTheCodedSimulationAndCountTheCodedBytes() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-coded", SITES, Map.of())) {
            h.fresh("remote-coded");
            h.fresh("simulated-coded");
            for (String s : SITES) {
                TestFiles.deleteTree(SiteCoding.defaultDirectory(s));
                h.agent(s, s, null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 3, "3 sites joined");
            h.federation.create(CoordinatorHarness.spec("remote-coded", "remote-coded").encoding(ENCODING).build());
            List<RoundResult> remote = h.federation.runRounds("remote-coded", 3);
            h.federation.create(CoordinatorHarness.spec("simulated-coded", FixtureDatasetLoader.ID)
                    .datasetSettings(Map.of("sites", 3)).encoding(ENCODING).build());
            List<RoundResult> simulated = h.federation.runRounds("simulated-coded", 3);

            ParameterSet g = h.federation.globalParameters("remote-coded");
            ParameterSet s = h.federation.globalParameters("simulated-coded");
            assertTrue(g.equalsWithin(s, 1e-5), "remote " + g + " vs simulated " + s + ": max difference "
                    + g.maxAbsDifference(s));
            ParameterSet fp32Like = h.federation.globalParameters("remote-coded");
            TransferEncoding e = TransferEncoding.parse(ENCODING);
            long down = WireEncoder.coded(e.down()).encodedSize(WireMessage.global("remote-coded", 0, "", fp32Like));
            assertNotEquals(WireEncoder.fp32().encodedSize(WireMessage.global("remote-coded", 0, "", fp32Like)), down,
                    "the coded message is not the fp32 one");
            long up = 0;
            for (int i = 0; i < 3; i++) {
                RoundResult r = remote.get(i);
                assertEquals(3, r.okSites(), "round " + (i + 1) + ": " + r.sites());
                assertEquals(simulated.get(i).evaluationMetrics().get("mse").getAsDouble(),
                        r.evaluationMetrics().get("mse").getAsDouble(), 1e-5, "validation mse of round " + (i + 1));
                assertEquals(3 * down, r.bytesDown(), "round " + (i + 1) + ": three coded downloads");
                long roundUp = 0;
                for (SiteRoundResult site : r.sites()) {
                    roundUp += WireEncoder.coded(e.up()).encodedSize(WireMessage.update("remote-coded", 0,
                            site.siteId(), site.sampleCount(), site.fitMetrics(), fp32Like));
                }
                assertEquals(roundUp, r.bytesUp(), "round " + (i + 1) + ": the coded updates' sizes");
                up += roundUp;
            }
            HttpResponse<String> metrics = h.call("GET", "metrics", null, null);
            long initial = WireEncoder.fp32().encodedSize(WireMessage.update("remote-coded", 0, "site-0", 0,
                    Metrics.empty(), fp32Like));
            assertEquals(up + initial, metricValue(metrics.body(), "fedfms_bytes_in_total"),
                    "the coordinator received the initial parameters (fp32) and the coded updates, nothing more");
            long out = metricValue(metrics.body(), "fedfms_bytes_out_total");
            assertEquals(0, out % down, "every download the coordinator sent was one coded message: " + out);
            assertTrue(out / down >= 9, "at least the 9 fit downloads: " + out / down);
            for (String site : SITES) {
                assertTrue(Files.list(SiteCoding.defaultDirectory(site)).count() == 1, "one residual file of "
                        + site);
            }
        }
    }

    @Test
    void aRestartedAgentContinuesFromItsResidual() throws Exception {
        Path dir = Files.createTempDirectory("fedfms-residuals-");
        try {
            Random rng = new Random(7);
            TaskMessage first = task(1);
            ParameterSet g1 = random(rng);
            ParameterSet u1 = random(rng);
            SiteCoding agent = new SiteCoding(dir, "site-r");
            assertEquals("", agent.parametersQuery(first), "holds nothing yet");
            agent.received(first, g1, null);
            SiteCoding.Upload sent1 = agent.upload(first, u1);
            assertNotNull(sent1.base(), "a delta against the global received");
            ParameterSet got1 = travel(sent1);
            agent.accepted(first, sent1);

            SiteCoding restarted = new SiteCoding(dir, "site-r");
            TaskMessage second = task(2);
            ParameterSet g2 = random(rng);
            ParameterSet u2 = random(rng);
            assertEquals("", restarted.parametersQuery(second), "a restarted agent holds no global: a full download");
            restarted.received(second, g2, null);
            assertTrue(restarted.parametersQuery(second).startsWith("?holds="), "it holds the global now");
            SiteCoding.Upload sent2 = restarted.upload(second, u2);
            ParameterSet got2 = travel(sent2);
            restarted.accepted(second, sent2);

            ParameterSet updates = DeltaCoding.apply(DeltaCoding.difference(u1, g1), DeltaCoding.difference(u2, g2));
            ParameterSet sentPlusResidual = DeltaCoding.apply(DeltaCoding.apply(got1, got2), sent2.residual());
            assertTrue(updates.equalsWithin(sentPlusResidual, 1e-5), "sent + residual == sum of the updates across "
                    + "the restart: max difference " + updates.maxAbsDifference(sentPlusResidual));
            SiteCoding fresh = new SiteCoding(Files.createTempDirectory(dir, "fresh-"), "site-r");
            fresh.received(second, g2, null);
            ParameterSet alone = fresh.upload(second, u2).parameters();
            assertTrue(DeltaCoding.difference(sent2.parameters(), alone).equalsWithin(sent1.residual(), 1e-6),
                    "the restarted agent added the residual it kept to its next update");
            assertTrue(sent1.residual().maxAbsDifference(DeltaCoding.difference(u1, u1)) > 0.1, "a residual was kept");
            Path file;
            try (var files = Files.list(dir)) {
                file = files.filter(p -> p.toString().endsWith(".residual")).findFirst().orElseThrow();
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")), "no partial file left");
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void anAgentThatDoesNotDeclareEncodingsIsRefusedItsTaskNamingWhatIsMissing() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("coded-old", List.of("old"), Map.of())) {
            h.fresh("coded-old");
            RawSite old = new RawSite(h, "old");
            assertEquals(200, old.join(10).statusCode(), "an agent that supports starting states, not encodings");
            h.federation.create(CoordinatorHarness.spec("coded-old", "coded-old").encoding("up=int8").rounds(1)
                    .minSites(1).build());
            java.util.concurrent.CompletableFuture<ExperimentStatus> run = h.federation.start("coded-old");
            HttpResponse<String> refused = old.firstAnswer();
            assertNotNull(refused, "no answer but 204 within 20 s");
            assertEquals(409, refused.statusCode(), refused.body());
            String why = JsonParser.parseString(refused.body()).getAsJsonObject().get("error").getAsString();
            assertTrue(why.contains("site 'old'") && why.contains("\"supports\": [\"encoding\"]")
                    && why.contains("encoding 'up=int8'"), why);
            ExperimentStatus done = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(done.state() != ExperimentStatus.State.COMPLETED && done.completedRounds() == 0,
                    done.toString());
            assertTrue(done.message().contains("\"supports\": [\"encoding\"]"), done.message());
            h.fresh("coded-old");
        }
    }

    /** What the coordinator decodes from an upload: encoded and decoded by the wire codec. */
    private static ParameterSet travel(SiteCoding.Upload u) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireEncoder.coded(u.coding()).encode(WireMessage.update("coded", 1, "site-r", 1, Metrics.empty(),
                u.parameters()), out);
        return WireDecoder.withDefaults().decode(new ByteArrayInputStream(out.toByteArray())).parameters();
    }

    private static TaskMessage task(int round) {
        return new TaskMessage("t" + round, "FIT", "coded", round, "linreg", new TrainerSpec("linreg", "none", "cpu",
                1, 8, 0.02, 1, Map.of()), Map.of(), null, true, "", "up=topk:0.25,down=int8");
    }

    private static ParameterSet random(Random rng) {
        float[] w = new float[48];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        return ParameterSet.builder().add("w", new int[] {6, 8}, w).build();
    }

    private static long metricValue(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in " + text);
    }
}
