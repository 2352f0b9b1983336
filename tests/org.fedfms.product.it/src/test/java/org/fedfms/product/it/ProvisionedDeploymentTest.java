package org.fedfms.product.it;

import static org.fedfms.product.it.ProductProcess.product;
import static org.fedfms.product.it.ProductProcess.workDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/**
 * The short path of a deployment, as separate processes: {@code fedfms provision} writes the files, the
 * coordinator and two site agents start from those files alone, and {@code fedfms admin} creates the example
 * spec's experiment, runs it to completion, shows its metrics, exports and removes it.
 */
class ProvisionedDeploymentTest {

    private static final Duration START = Duration.ofSeconds(180);

    /** The output and exit status of {@code fedfms ARGS}. */
    private record Result(int exit, String out) {
    }

    /** Asks {@code fedfms admin sites} every half second until {@code sites} have joined; fails after START. */
    private static void awaitJoined(Path log, String config, List<String> sites, String what,
            ProductProcess... agents) throws IOException, InterruptedException {
        long end = System.nanoTime() + START.toNanos();
        while (true) {
            Result answer = fedfms(log, "admin", "--config", config, "sites");
            assertEquals(0, answer.exit(), answer.out());
            List<String> joined = JsonParser.parseString(answer.out()).getAsJsonArray().asList().stream()
                    .map(s -> s.getAsJsonObject()).filter(s -> s.get("joined").getAsBoolean())
                    .map(s -> s.get("siteId").getAsString()).toList();
            if (joined.containsAll(sites)) {
                return;
            }
            StringBuilder logs = new StringBuilder();
            for (ProductProcess agent : agents) {
                logs.append(agent.tail());
            }
            assertTrue(System.nanoTime() < end, what + ": " + answer.out() + "\n" + logs);
            Thread.sleep(500);
        }
    }

    private static Result fedfms(Path log, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(product().resolve("fedfms").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "fedfms " + String.join(" ", args) + " did not end");
        Files.writeString(log, "$ fedfms " + String.join(" ", args) + "\n" + out, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return new Result(p.exitValue(), out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void provisionStartFromTheFilesAndDriveAnExperimentWithTheAdminClient() throws Exception {
        Path root = workDirectory("provisioned");
        Path out = root.resolve("deploy");
        Path log = root.resolve("admin.log");
        Result provisioned = fedfms(log, "provision", "--sites", "site-1,site-2", "--host", "127.0.0.1", "--port",
                String.valueOf(freePort()), "--out", out.toString());
        assertEquals(0, provisioned.exit(), provisioned.out());
        for (String f : List.of("coordinator.properties", "site-site-1.properties", "site-site-2.properties",
                "admin.properties", "coordinator-tls/coordinator.p12")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f);
        }
        String coordinatorFile = Files.readString(out.resolve("coordinator.properties"));
        String adminFile = Files.readString(out.resolve("admin.properties"));
        String adminToken = adminFile.lines().filter(l -> l.startsWith("admin.token=")).findFirst().orElseThrow()
                .substring("admin.token=".length());
        assertFalse(coordinatorFile.contains(adminToken), "the coordinator keeps only the token's hash");
        assertTrue(coordinatorFile.contains("admin.token=sha256:"), coordinatorFile);
        Result again = fedfms(log, "provision", "--sites", "x", "--out", out.toString());
        assertEquals(2, again.exit(), "a provisioned directory is never overwritten: " + again.out());
        assertEquals(adminFile, Files.readString(out.resolve("admin.properties")));

        try (ProductProcess coordinator = ProductProcess.start("coordinator", "coordinator",
                out.resolve("coordinator.properties"), root.resolve("coordinator.log"), root.resolve("c-home"));
                ProductProcess site1 = ProductProcess.start("site-1", "site", out.resolve("site-site-1.properties"),
                        root.resolve("site-1.log"), root.resolve("s1"));
                ProductProcess site2 = ProductProcess.start("site-2", "site", out.resolve("site-site-2.properties"),
                        root.resolve("site-2.log"), root.resolve("s2"))) {
            coordinator.await(Pattern.compile("listening on"), 0, START);
            String config = out.resolve("admin.properties").toString();
            awaitJoined(log, config, List.of("site-1", "site-2"), "two sites joined", site1, site2);
            Path spec = Path.of("../../releng/experiment-spec.json").toAbsolutePath().normalize();
            Result created = fedfms(log, "admin", "--config", config, "create", spec.toString());
            assertEquals(0, created.exit(), created.out());
            Result run = fedfms(log, "admin", "--config", config, "run", "--wait", "fedmsa-remote");
            assertEquals(0, run.exit(), run.out() + "\n" + coordinator.tail());
            assertTrue(run.out().contains("[fedmsa-remote] completed after 3 round(s)"),
                    run.out());
            for (String logged : List.of("experiment fedmsa-remote round 1: started, strategy fedavg, 2 site(s) chosen",
                    "experiment fedmsa-remote round 2: update of site site-1 arrived: ok",
                    "experiment fedmsa-remote round 3: update of site site-2 arrived: ok",
                    "experiment fedmsa-remote round 3: aggregated 2 of 2 update(s) with fedavg",
                    "experiment fedmsa-remote: completed after round 3")) {
                coordinator.await(Pattern.compile(Pattern.quote(logged)), 0, Duration.ofSeconds(30));
            }
            coordinator.await(Pattern.compile("round 3: aggregated .*, dice 0\\.\\d{4}"), 0, Duration.ofSeconds(30));
            Result status = fedfms(log, "admin", "--config", config, "status", "fedmsa-remote");
            assertEquals("COMPLETED", JsonParser.parseString(status.out()).getAsJsonObject().get("state").getAsString());
            Result metrics = fedfms(log, "admin", "--config", config, "metrics", "fedmsa-remote");
            assertEquals(0, metrics.exit(), metrics.out());
            List<String> rows = metrics.out().lines().toList();
            assertTrue(rows.get(0).contains("dice"), metrics.out());
            assertEquals(1 + 3 * 3, rows.size(), "a header, then two sites and the mean per round: " + metrics.out());
            Path exported = root.resolve("export");
            Result export = fedfms(log, "admin", "--config", config, "export", "fedmsa-remote", exported.toString());
            assertEquals(0, export.exit(), export.out());
            assertEquals(3, JsonParser.parseString(Files.readString(exported.resolve("history.json")))
                    .getAsJsonArray().size());
            assertEquals(rows.size(), Files.readAllLines(exported.resolve("rounds.csv")).size());
            Result removed = fedfms(log, "admin", "--config", config, "remove", "fedmsa-remote");
            assertEquals(0, removed.exit(), removed.out());
            Result listed = fedfms(log, "admin", "--config", config, "experiments");
            assertFalse(listed.out().contains("fedmsa-remote"), listed.out());
            Result gone = fedfms(log, "admin", "--config", config, "status", "fedmsa-remote");
            assertEquals(1, gone.exit(), gone.out());
            assertTrue(gone.out().contains("HTTP 404"), gone.out());
        }
    }

    @Test
    void underMutualTlsTheProvisionedSiteAndAdminGetInAndAClientWithoutACertificateDoesNot() throws Exception {
        Path root = workDirectory("provisioned-mtls");
        Path out = root.resolve("deploy");
        Path log = root.resolve("admin.log");
        Result provisioned = fedfms(log, "provision", "--sites", "site-1,site-2", "--host", "127.0.0.1", "--port",
                String.valueOf(freePort()), "--mtls", "--out", out.toString());
        assertEquals(0, provisioned.exit(), provisioned.out());
        for (String f : List.of("site-site-1.p12", "site-site-2.p12", "admin.p12", "sites-truststore.p12")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f);
        }
        assertTrue(Files.readString(out.resolve("coordinator.properties")).contains("tls.clientTruststore="));
        try (ProductProcess coordinator = ProductProcess.start("coordinator", "coordinator",
                out.resolve("coordinator.properties"), root.resolve("coordinator.log"), root.resolve("c-home"));
                ProductProcess site1 = ProductProcess.start("site-1", "site", out.resolve("site-site-1.properties"),
                        root.resolve("site-1.log"), root.resolve("s1"))) {
            coordinator.await(Pattern.compile("listening on"), 0, START);
            String config = out.resolve("admin.properties").toString();
            awaitJoined(log, config, List.of("site-1"), "site-1 joined over mutual TLS", site1);
            Path noCertificate = root.resolve("admin-without-certificate.properties");
            Files.write(noCertificate, Files.readAllLines(out.resolve("admin.properties")).stream()
                    .filter(l -> !l.startsWith("tls.keystore")).toList());
            Result refused = fedfms(log, "admin", "--config", noCertificate.toString(), "sites");
            assertEquals(1, refused.exit(), refused.out());
            assertTrue(refused.out().contains("cannot reach the coordinator"), refused.out());
        }
    }
}
