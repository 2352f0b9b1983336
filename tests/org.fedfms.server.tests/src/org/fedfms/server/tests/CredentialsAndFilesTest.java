package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.security.SelfSignedKeystore;
import org.fedfms.security.TokenHash;
import org.fedfms.server.internal.CoordinatorConfig;
import org.fedfms.site.internal.SiteAgentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placeholder and short tokens refused at start, naming the key; generated tokens; owner-only secrets on disk. */
class CredentialsAndFilesTest {

    @TempDir
    Path dir;

    @Test
    void placeholderTokensAreRefusedNamingTheKey() {
        // the hashes releng/coordinator.properties shipped with: change-me-admin, change-me-site-0
        Map<String, String> p = new HashMap<>(Map.of("host", "127.0.0.1", "tls", "off", "sites", "site-0",
                "admin.token", "sha256:95c8b8ec5d50566a2eb39a13ee59a5a6:"
                        + "f56ed95b06f0b94419155e7e208e8e811dca765a3d907e1d962b7432197619de",
                "site.site-0.token", "sha256:4a8e6d9bd0c82439e84f81637786c6ac:"
                        + "a0182ead0905108da0fa16b9893b0b4818e9279f0eb9381b7cef6b9dd7cab64a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoordinatorConfig.from(p, dir));
        assertTrue(e.getMessage().contains("'admin.token' is the hash of the placeholder 'change-me-admin'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("'site.site-0.token' is the hash of the placeholder 'change-me-site-0'"),
                e.getMessage());

        for (String token : List.of("change-me-site-0", "short-token")) {
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> new SiteAgentConfig(
                    URI.create("http://127.0.0.1:1/"), "site-0", token, null, null, null, "fixture", Map.of(),
                    "site-0", 50, 500, 2));
            assertTrue(s.getMessage().contains("'site.token'"), s.getMessage());
        }
    }

    @Test
    void theShippedConfigurationGeneratesOwnerOnlyTokensAndKeepsThem() throws Exception {
        Path shipped = Path.of("../../releng/coordinator.properties").toAbsolutePath().normalize();
        assertTrue(Files.isReadable(shipped), "the shipped configuration at " + shipped);
        Path config = dir.resolve("coordinator.properties");
        Files.writeString(config, Files.readString(shipped, StandardCharsets.UTF_8)
                + "\ntokens.dir=tokens\ntls.dir=tls\n", StandardCharsets.UTF_8);
        CoordinatorConfig first = CoordinatorConfig.read(config);
        Path admin = dir.resolve("tokens").resolve("admin.token");
        Path site = dir.resolve("tokens").resolve("site-1.token");
        String token = Files.readString(site, StandardCharsets.UTF_8).trim();
        assertTrue(token.length() >= 32, token);
        assertTrue(first.siteTokens().get("site-1").matches(token));
        assertTrue(first.adminToken().matches(Files.readString(admin, StandardCharsets.UTF_8).trim()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(site)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(admin.getParent())));
        CoordinatorConfig again = CoordinatorConfig.read(config);
        assertTrue(again.siteTokens().get("site-1").matches(token), "the same token on a later start");
    }

    @Test
    void theSelfSignedKeystoreAndItsDirectoryAreOwnerOnly() throws Exception {
        Path tls = dir.resolve("state").resolve("tls");
        String password = SelfSignedKeystore.ensure(tls, "127.0.0.1");
        assertTrue(password.length() >= 16);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                tls.resolve(SelfSignedKeystore.KEYSTORE))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                tls.resolve(SelfSignedKeystore.PASSWORD))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls)));
        assertTrue(TokenHash.of("x").matches("x"));
    }

    @Test
    void theKeystorePasswordNeverStandsOnKeytoolsCommandLine() throws Exception {
        Path tls = dir.resolve("state").resolve("tls-watched");
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!done.get()) {
                ProcessHandle.current().children().forEach(child -> child.info().arguments()
                        .ifPresent(args -> seen.add(String.join(" ", args))));
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        String password;
        try {
            password = SelfSignedKeystore.ensure(tls, "127.0.0.1");
        } finally {
            done.set(true);
            watcher.join();
        }
        assertTrue(seen.stream().anyMatch(a -> a.contains("-genkeypair")), "keytool's command line was seen: " + seen);
        for (String args : seen) {
            assertTrue(!args.contains(password), "the password is on a command line: " + args);
        }
    }
}
