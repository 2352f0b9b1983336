package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManager;

import org.fedfms.api.RoundResult;
import org.fedfms.security.PinnedTrust;
import org.fedfms.security.TokenHash;
import org.fedfms.server.internal.CoordinatorConfig;
import org.fedfms.site.internal.SiteAgentConfig;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS: with {@code tls.clientTruststore} the coordinator refuses, during the TLS handshake, every client
 * without a certificate it trusts; a site agent with {@code tls.keystore} presents its certificate and trains.
 * The key pairs are generated here with the JDK's keytool (nothing secret is committed).
 */
class MutualTlsTest {

    private static final String PASSWORD = "generated-in-test";

    @TempDir
    Path dir;

    /** A key pair with a self-signed certificate {@code CN=<name>} in {@code <name>.p12}. */
    private Path keystore(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        CoordinatorHarness.keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
                "SHA256withECDSA", "-validity", "2", "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore",
                store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        return store;
    }

    /** A truststore holding the certificates of these keystores. */
    private Path truststore(Path... keystores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Path ks : keystores) {
            KeyStore k = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                k.load(in, PASSWORD.toCharArray());
            }
            String alias = k.aliases().nextElement();
            trust.setCertificateEntry(alias, k.getCertificate(alias));
        }
        Path file = dir.resolve("clients.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    private static HttpClient client(String fingerprint, KeyManager[] keys) throws Exception {
        return HttpClient.newBuilder().sslContext(PinnedTrust.fingerprint(fingerprint, keys))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient client, CoordinatorHarness h, String path, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyClientsWithATrustedCertificateGetThroughTheHandshake() throws Exception {
        Path site0 = keystore("site-0");
        Path site1 = keystore("site-1");
        Path stranger = keystore("stranger");
        Path trust = truststore(site0, site1);
        Map<String, String> mtls = Map.of("tls.clientTruststore", trust.toString(), "tls.clientTruststore.password",
                PASSWORD);
        try (CoordinatorHarness h = new CoordinatorHarness("mtls", List.of("site-0", "site-1"), mtls)) {
            h.fresh("mtls");
            String fp = h.coordinator.fingerprint();

            IOException none = assertThrows(IOException.class, () -> get(client(fp, null), h, "health", null),
                    "a client without a certificate is refused in the TLS handshake");
            assertTrue(!(none instanceof java.net.http.HttpTimeoutException), none.toString());
            assertThrows(IOException.class, () -> get(client(fp, PinnedTrust.keystore(stranger, PASSWORD, "PKCS12")),
                    h, "health", null), "a certificate the coordinator does not trust is refused");

            HttpClient trusted = client(fp, PinnedTrust.keystore(site0, PASSWORD, "PKCS12"));
            assertEquals(200, get(trusted, h, "health", null).statusCode());
            assertEquals(401, get(trusted, h, "api/v1/experiments", null).statusCode(),
                    "the certificate does not replace the credentials");
            assertEquals(200, get(trusted, h, "api/v1/experiments", CoordinatorHarness.ADMIN).statusCode());

            for (String site : List.of("site-0", "site-1")) {
                h.agent(new SiteAgentConfig(h.uri(), site, CoordinatorHarness.token(site), fp, null, null,
                        FixtureDatasetLoader.ID, Map.of("sites", "3"), site, 50, 500, 2, dir.resolve(site + ".p12"),
                        PASSWORD, "PKCS12"), null);
            }
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "2 sites joined over mutual TLS");
            h.federation.create(CoordinatorHarness.spec("mtls", "mtls").minSites(2).rounds(1).build());
            RoundResult r = h.federation.runRound("mtls");
            assertEquals(2, r.okSites(), r.sites().toString());
        }
    }

    @Test
    void mutualTlsIsConfiguredFromTheProperties() throws Exception {
        Path file = dir.resolve("coordinator.properties");
        Files.writeString(file, String.join("\n", "host=127.0.0.1", "port=0", "tls=self-signed", "tls.dir=tls",
                "admin.token=" + TokenHash.of("a").text(), "sites=s", "site.s.token=" + TokenHash.of("b").text(),
                "tls.clientTruststore=sites.p12", "tls.clientTruststore.password=pw"));
        CoordinatorConfig c = CoordinatorConfig.read(file);
        assertEquals(dir.resolve("sites.p12"), c.clientTruststore());
        assertEquals("PKCS12", c.clientTruststoreType());

        Files.writeString(file, String.join("\n", "host=127.0.0.1", "tls=off", "admin.token=" + TokenHash.of("a")
                .text(), "sites=s", "site.s.token=" + TokenHash.of("b").text(), "tls.clientTruststore=sites.p12",
                "tls.clientTruststore.password=pw"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoordinatorConfig.read(file));
        assertTrue(e.getMessage().contains("tls.clientTruststore") && e.getMessage().contains("tls=off"),
                e.getMessage());

        Path site = dir.resolve("site.properties");
        Files.writeString(site, String.join("\n", "coordinator=https://127.0.0.1:1/", "tls.fingerprint=ab",
                "site.id=s", "site.token=t-0123456789abcdef", "dataset=x", "tls.keystore=s.p12",
                "tls.keystore.password=pw"));
        SiteAgentConfig sc = SiteAgentConfig.read(site);
        assertEquals(dir.resolve("s.p12"), sc.keystore());
        assertEquals("pw", sc.keystorePassword());
    }
}
