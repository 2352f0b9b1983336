package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fedfms.security.PinnedTrust;
import org.fedfms.security.TokenHash;
import org.fedfms.server.internal.CoordinatorConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under mutual TLS a client certificate is bound to one site: by its subject CN or a subjectAltName DNS name, or by
 * the fingerprint pinned in {@code site.<id>.certificateSha256}. A site holding another site's token cannot act as
 * that site over a connection with its own certificate. The CA and the site certificates it signs are made here
 * with the JDK's keytool; the coordinator trusts the CA only, so every client below gets through the handshake and
 * the binding alone decides.
 */
class SiteCertificateBindingTest {

    private static final String PASSWORD = "generated-in-test";

    @TempDir
    static Path dir;

    private static Path truststore;
    private static Path site1;
    private static Path site1Rekeyed;
    private static Path site2;
    private static Path gateway;

    private static void genkeypair(Path store, String alias, String dname, String... ext) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "2", "-dname", dname, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        for (String e : ext) {
            args.add("-ext");
            args.add(e);
        }
        CoordinatorHarness.keytool(args.toArray(String[]::new));
    }

    /**
     * The test CA, whose certificate alone is the coordinator's client truststore, and the site certificates it
     * signs: CN=site-1, another key pair with CN=site-1, CN=site-2, and CN=gateway.hospital-two.example with
     * subjectAltName DNS:site-2.
     */
    @BeforeAll
    static void certificates() throws Exception {
        Path ca = dir.resolve("ca.p12");
        genkeypair(ca, "ca", "CN=FedFMS test CA", "bc:c");
        CoordinatorHarness.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file",
                dir.resolve("ca.pem").toString());
        truststore = dir.resolve("clients.p12");
        CoordinatorHarness.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-storetype",
                "PKCS12", "-keystore", truststore.toString(), "-storepass", PASSWORD);
        site1 = signed("site-1", "CN=site-1, O=Hospital One");
        site1Rekeyed = signed("site-1-other-key", "CN=site-1");
        site2 = signed("site-2", "CN=site-2");
        gateway = signed("gateway", "CN=gateway.hospital-two.example", "san=dns:site-2");
    }

    /** A key pair in {@code <file>.p12} whose certificate {@code dname} (with {@code ext}) the test CA signed. */
    private static Path signed(String file, String dname, String... ext) throws Exception {
        Path store = dir.resolve(file + ".p12");
        genkeypair(store, "key", dname);
        Path csr = dir.resolve(file + ".csr");
        Path cer = dir.resolve(file + ".pem");
        CoordinatorHarness.keytool("-certreq", "-alias", "key", "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
                csr.toString());
        List<String> args = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore",
                dir.resolve("ca.p12").toString(), "-storepass", PASSWORD, "-validity", "2", "-rfc", "-infile",
                csr.toString(), "-outfile", cer.toString()));
        for (String e : ext) {
            args.add("-ext");
            args.add(e);
        }
        CoordinatorHarness.keytool(args.toArray(String[]::new));
        CoordinatorHarness.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-keystore",
                store.toString(), "-storepass", PASSWORD);
        CoordinatorHarness.keytool("-importcert", "-alias", "key", "-file", cer.toString(), "-keystore", store.toString(), "-storepass",
                PASSWORD);
        return store;
    }

    private static X509Certificate certificate(Path store) throws Exception {
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            k.load(in, PASSWORD.toCharArray());
        }
        return (X509Certificate) k.getCertificate("key");
    }

    private static String sha256(X509Certificate c) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    private static Map<String, String> mtls() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("tls.clientTruststore", truststore.toString());
        p.put("tls.clientTruststore.password", PASSWORD);
        return p;
    }

    private static HttpClient client(CoordinatorHarness h, Path keystore) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(PinnedTrust.fingerprint(h.coordinator.fingerprint(),
                        PinnedTrust.keystore(keystore, PASSWORD, "PKCS12")))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> join(HttpClient client, CoordinatorHarness h, String site, String token)
            throws Exception {
        return client.send(HttpRequest.newBuilder(h.uri().resolve("api/v1/sites/" + site + "/join"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"trainSamples\": 5}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long refusedCounter(HttpClient client, CoordinatorHarness h) throws Exception {
        String text = client.send(HttpRequest.newBuilder(h.uri().resolve("metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^fedfms_requests_refused_certificate_total (\\d+)$").matcher(text);
        assertTrue(m.find(), text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aSiteActsOnlyAsTheSiteItsCertificateNames() throws Exception {
        String site2Fingerprint = sha256(certificate(site2));
        try (CoordinatorHarness h = new CoordinatorHarness("certbind", List.of("site-1", "site-2"), mtls())) {
            HttpClient asSite1 = client(h, site1);
            HttpClient asSite2 = client(h, site2);
            assertEquals(0, refusedCounter(asSite1, h));

            HttpResponse<String> own = join(asSite1, h, "site-1", CoordinatorHarness.token("site-1"));
            assertEquals(200, own.statusCode(), own.body());
            assertEquals(1, h.coordinator.sitesConnected());

            HttpResponse<String> posing = join(asSite2, h, "site-1", CoordinatorHarness.token("site-1"));
            assertEquals(403, posing.statusCode(), posing.body());
            assertTrue(posing.body().contains("CN=site-2") && posing.body().contains(site2Fingerprint)
                    && posing.body().contains("site 'site-1'") && posing.body().contains("CN=site-1"), posing.body());
            assertEquals(1, refusedCounter(asSite1, h));
            assertEquals(1, h.coordinator.sitesConnected(), "the refused join did not count");

            HttpResponse<String> byName = join(asSite2, h, "site-2", CoordinatorHarness.token("site-2"));
            assertEquals(200, byName.statusCode(), byName.body());
            HttpResponse<String> byDnsName = join(client(h, gateway), h, "site-2", CoordinatorHarness.token("site-2"));
            assertEquals(200, byDnsName.statusCode(), "subjectAltName DNS:site-2 names site-2: " + byDnsName.body());
            HttpResponse<String> dnsNameElsewhere = join(client(h, gateway), h, "site-1",
                    CoordinatorHarness.token("site-1"));
            assertEquals(403, dnsNameElsewhere.statusCode(), dnsNameElsewhere.body());
            assertTrue(dnsNameElsewhere.body().contains("CN=gateway.hospital-two.example"), dnsNameElsewhere.body());
            assertEquals(2, refusedCounter(asSite1, h));
            assertEquals(2, h.coordinator.sitesConnected());

            HttpResponse<String> admin = asSite1.send(HttpRequest.newBuilder(h.uri().resolve("api/v1/sites"))
                    .header("Authorization", "Bearer " + CoordinatorHarness.ADMIN).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, admin.statusCode(), "the admin token stays the admin credential: " + admin.body());
        }
    }

    @Test
    void aPinnedFingerprintReplacesTheNameRule() throws Exception {
        String pin = sha256(certificate(site1));
        StringBuilder colons = new StringBuilder();
        for (int i = 0; i < pin.length(); i += 2) {
            colons.append(i == 0 ? "" : ":").append(pin, i, i + 2);
        }
        Map<String, String> p = mtls();
        p.put("site.site-1.certificateSha256", colons.toString().toUpperCase(Locale.ROOT));
        try (CoordinatorHarness h = new CoordinatorHarness("certpin", List.of("site-1", "site-2"), p)) {
            HttpResponse<String> pinned = join(client(h, site1), h, "site-1", CoordinatorHarness.token("site-1"));
            assertEquals(200, pinned.statusCode(), pinned.body());

            HttpClient other = client(h, site1Rekeyed);
            HttpResponse<String> sameName = join(other, h, "site-1", CoordinatorHarness.token("site-1"));
            assertEquals(403, sameName.statusCode(), "CN=site-1 is not enough once a certificate is pinned: "
                    + sameName.body());
            assertTrue(sameName.body().contains(sha256(certificate(site1Rekeyed)))
                    && sameName.body().contains("site.site-1.certificateSha256") && sameName.body().contains(pin),
                    sameName.body());
            assertEquals(1, refusedCounter(other, h));

            HttpResponse<String> unpinned = join(client(h, site2), h, "site-2", CoordinatorHarness.token("site-2"));
            assertEquals(200, unpinned.statusCode(), "site-2 has no pin: the name rule applies: " + unpinned.body());
            assertEquals(2, h.coordinator.sitesConnected());
        }
    }

    @Test
    void aMalformedOrMisplacedPinIsAClearConfigurationError() {
        Map<String, String> p = new LinkedHashMap<>(Map.of("host", "127.0.0.1", "port", "0", "tls", "self-signed",
                "admin.token", TokenHash.of("a").text(), "sites", "site-1", "site.site-1.token",
                TokenHash.of("b").text(), "tls.clientTruststore", "clients.p12", "tls.clientTruststore.password",
                "pw"));
        String good = "ab".repeat(32);
        p.put("site.site-1.certificateSha256", good.toUpperCase(Locale.ROOT));
        assertEquals(Map.of("site-1", good), CoordinatorConfig.from(p, dir).siteCertificates());

        for (String bad : List.of("ab".repeat(31), "xy".repeat(32), "ab".repeat(33), "")) {
            p.put("site.site-1.certificateSha256", bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CoordinatorConfig.from(p, dir), bad);
            assertTrue(e.getMessage().contains("'site.site-1.certificateSha256'")
                    && e.getMessage().contains("64 hex digits"), e.getMessage());
        }

        p.put("site.site-1.certificateSha256", good);
        p.put("site.site-9.certificateSha256", good);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> CoordinatorConfig.from(p, dir));
        assertTrue(unknown.getMessage().contains("'site.site-9.certificateSha256' names a site not listed"),
                unknown.getMessage());

        p.remove("site.site-9.certificateSha256");
        p.remove("tls.clientTruststore");
        IllegalArgumentException noMtls = assertThrows(IllegalArgumentException.class,
                () -> CoordinatorConfig.from(p, dir));
        assertTrue(noMtls.getMessage().contains("needs mutual TLS"), noMtls.getMessage());
    }
}
