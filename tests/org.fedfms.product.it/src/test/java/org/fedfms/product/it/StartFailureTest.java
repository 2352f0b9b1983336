package org.fedfms.product.it;

import static org.fedfms.product.it.ProductProcess.product;
import static org.fedfms.product.it.ProductProcess.workDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.fedfms.security.TokenHash;
import org.junit.jupiter.api.Test;

/**
 * The launcher as a supervisor sees it: a coordinator or site agent with an invalid configuration exits with
 * status 2 (no live process serving nothing), naming the key; a coordinator's generated secrets are owner-only.
 */
class StartFailureTest {

    @Test
    void aCoordinatorWithAPlaceholderTokenExitsWithStatus2() throws Exception {
        Path root = workDirectory("start-failure");
        Path config = coordinatorConfig(root, "change-me-admin");
        try (ProductProcess p = ProductProcess.start("coordinator", "coordinator", config,
                root.resolve("coordinator.log"), root)) {
            assertEquals(2, p.awaitExit(Duration.ofSeconds(120)), p.tail());
            assertTrue(p.tail().contains("'admin.token' is the hash of the placeholder 'change-me-admin'"), p.tail());
        }
    }

    @Test
    void aSiteAgentWithAPlaceholderTokenExitsWithStatus2() throws Exception {
        Path root = workDirectory("site-start-failure");
        Path config = root.resolve("site.properties");
        Files.writeString(config, String.join("\n", "coordinator=http://127.0.0.1:1/", "site.id=site-0",
                "site.token=change-me-site-0", "dataset=synthetic") + "\n", StandardCharsets.UTF_8);
        try (ProductProcess p = ProductProcess.start("site", "site", config, root.resolve("site.log"), root)) {
            assertEquals(2, p.awaitExit(Duration.ofSeconds(120)), p.tail());
            assertTrue(p.tail().contains("'site.token' is a placeholder"), p.tail());
        }
    }

    @Test
    void theRunningCoordinatorJvmExitsOnOutOfMemory() throws Exception {
        Path root = workDirectory("jvm-options");
        Path config = coordinatorConfig(root, "a-real-admin-token-0123456789");
        try (ProductProcess p = ProductProcess.start("coordinator", product(), "coordinator", config,
                root.resolve("coordinator.log"), List.of("-Dfedfms.workdir=" + root, "-XX:TieredStopAtLevel=1"))) {
            p.await(java.util.regex.Pattern.compile("listening on"), 0, Duration.ofSeconds(120));
            List<String> jvm = p.jvmCommandLine();
            assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"), "coordinator JVM: " + jvm);
            assertTrue(jvm.indexOf("-XX:+ExitOnOutOfMemoryError") < jvm.indexOf("-jar"), "a JVM option: " + jvm);
            assertTrue(jvm.contains("-XX:+UseG1GC"), "the coordinator's collector line: " + jvm);
        }
    }

    @Test
    void theCoordinatorsGeneratedSecretsAreOwnerOnly() throws Exception {
        Path root = workDirectory("owner-only");
        Path config = root.resolve("coordinator.properties");
        Files.writeString(config, String.join("\n", "host=127.0.0.1", "port=0", "tls=self-signed", "tls.dir=tls",
                "tokens.dir=tokens", "admin.token=generate", "sites=site-0", "site.site-0.token=generate") + "\n",
                StandardCharsets.UTF_8);
        try (ProductProcess p = ProductProcess.start("coordinator", "coordinator", config,
                root.resolve("coordinator.log"), root)) {
            p.await(java.util.regex.Pattern.compile("listening on"), 0, Duration.ofSeconds(120));
            for (Path f : List.of(root.resolve("tls/coordinator.p12"), root.resolve("tls/coordinator.password"),
                    root.resolve("tokens/admin.token"), root.resolve("tokens/site-0.token"))) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                        f.toString());
            }
            for (Path d : List.of(root.resolve("tls"), root.resolve("tokens"))) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)),
                        d.toString());
            }
        }
    }

    /** A coordinator configuration on 127.0.0.1 without TLS for one site, with the hash of {@code adminToken}. */
    private static Path coordinatorConfig(Path root, String adminToken) throws IOException {
        Path config = root.resolve("coordinator.properties");
        Files.writeString(config, String.join("\n", "host=127.0.0.1", "port=0", "tls=off",
                "admin.token=" + TokenHash.of(adminToken).text(), "sites=site-0",
                "site.site-0.token=" + TokenHash.of("a-real-token-of-site-0-0123456789").text()) + "\n",
                StandardCharsets.UTF_8);
        return config;
    }
}
