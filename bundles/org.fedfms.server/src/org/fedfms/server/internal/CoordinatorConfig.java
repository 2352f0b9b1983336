package org.fedfms.server.internal;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.fedfms.security.TokenHash;

/**
 * How a coordinator runs: where it listens, its TLS, the admin and site credentials (hashed), its limits.
 * Read from a properties file (see {@code releng/coordinator.properties}).
 *
 * @param host address to listen on
 * @param port port (0: any free one)
 * @param tls how connections are secured
 * @param tlsDirectory where a self-signed keystore is generated and kept
 * @param keystore a real keystore (mode {@link Tls#KEYSTORE})
 * @param keystorePassword its password
 * @param keystoreType its type (PKCS12, JKS)
 * @param adminToken hash of the admin credential
 * @param siteTokens hash of each site's credential, in the order updates are aggregated
 * @param providerId the dataset id experiments name to run on this coordinator's sites
 * @param maxUploadBytes largest update accepted
 * @param maxConcurrentUploads uploads decoded at once; more wait for a slot while their task is open
 * @param maxPollSeconds longest long-poll
 * @param clientTruststore certificates (of the sites or their CA) a client must present one of: mutual TLS,
 *     or {@code null} for none
 * @param clientTruststorePassword its password
 * @param clientTruststoreType its type (PKCS12, JKS)
 * @param requestsPerSecond requests per second allowed per site credential (0: no limit); more get 429
 * @param requestBurst requests a site may send at once before the rate applies
 * @param siteCertificates under mutual TLS, the certificate pinned for a site: lower-case hex SHA-256 of its DER
 *     encoding, by site id ({@code site.<id>.certificateSha256}); a site without one must present a certificate
 *     whose subject CN or a subjectAltName DNS name equals its id
 * @param limits limits against misbehaving sites and slow links
 */
public record CoordinatorConfig(String host, int port, Tls tls, Path tlsDirectory, Path keystore,
        String keystorePassword, String keystoreType, TokenHash adminToken, Map<String, TokenHash> siteTokens,
        String providerId, long maxUploadBytes, int maxConcurrentUploads, int maxPollSeconds, Path clientTruststore,
        String clientTruststorePassword, String clientTruststoreType, double requestsPerSecond, int requestBurst,
        Map<String, String> siteCertificates, ServerLimits limits) {

    /** Transport security. */
    public enum Tls {
        /** HTTPS with a certificate generated at first start (trials). */
        SELF_SIGNED,
        /** HTTPS with the configured keystore (deployment). */
        KEYSTORE,
        /** Plain HTTP; allowed on a loopback address only. */
        OFF
    }

    /** System property naming the coordinator's configuration file. */
    public static final String CONFIG_PROPERTY = "fedfms.coordinator.config";

    public CoordinatorConfig {
        siteTokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(siteTokens));
        limits = limits == null ? ServerLimits.DEFAULTS : limits;
        List<String> problems = new ArrayList<>();
        Map<String, String> pins = new LinkedHashMap<>();
        siteCertificates.forEach((site, pin) -> {
            try {
                pins.put(site, SiteCertificates.parseFingerprint(pin, "site." + site + ".certificateSha256"));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        });
        siteCertificates = java.util.Collections.unmodifiableMap(pins);
        if (port < 0 || port > 65535) {
            problems.add("port must be 0..65535, got " + port);
        }
        if (siteTokens.isEmpty()) {
            problems.add("no sites: list them in 'sites' with a 'site.<id>.token' each");
        }
        if (adminToken == null) {
            problems.add("'admin.token' is missing");
        } else {
            String placeholder = org.fedfms.wire.protocol.Credentials.placeholderOf(adminToken::matches, null);
            if (placeholder != null) {
                problems.add("'admin.token' is the hash of the placeholder '" + placeholder + "': set the hash of a "
                        + "real token, or 'generate'");
            }
        }
        siteTokens.forEach((site, hash) -> {
            String placeholder = org.fedfms.wire.protocol.Credentials.placeholderOf(hash::matches, site);
            if (placeholder != null) {
                problems.add("'site." + site + ".token' is the hash of the placeholder '" + placeholder
                        + "': set the hash of a real token, or 'generate'");
            }
        });
        if (tls == Tls.KEYSTORE && (keystore == null || keystorePassword == null)) {
            problems.add("tls=keystore needs 'tls.keystore' and 'tls.keystore.password'");
        }
        if (tls == Tls.OFF && !loopback(host)) {
            problems.add("tls=off is allowed on a loopback address only (host is '" + host + "'); use tls=self-signed"
                    + " or tls=keystore");
        }
        if (maxUploadBytes < 1024) {
            problems.add("limits.maxUploadBytes must be at least 1024, got " + maxUploadBytes);
        }
        if (maxConcurrentUploads < 1) {
            problems.add("limits.concurrentUploads must be at least 1, got " + maxConcurrentUploads);
        }
        if (maxPollSeconds < 1) {
            problems.add("poll.maxWaitSeconds must be at least 1, got " + maxPollSeconds);
        }
        if (clientTruststore != null && tls == Tls.OFF) {
            problems.add("tls.clientTruststore (mutual TLS) needs tls=self-signed or tls=keystore, not tls=off");
        }
        if (clientTruststore != null && clientTruststorePassword == null) {
            problems.add("tls.clientTruststore needs 'tls.clientTruststore.password'");
        }
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            problems.add("limits.requestsPerSecond must be a number >= 0 (0: no limit), got " + requestsPerSecond);
        }
        if (requestsPerSecond > 0 && requestBurst < 1) {
            problems.add("limits.requestBurst must be at least 1, got " + requestBurst);
        }
        for (String site : pins.keySet()) {
            if (!siteTokens.containsKey(site)) {
                problems.add("'site." + site + ".certificateSha256' names a site not listed in 'sites'");
            } else if (clientTruststore == null) {
                problems.add("'site." + site + ".certificateSha256' needs mutual TLS: set tls.clientTruststore");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("coordinator configuration: " + String.join("; ", problems));
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A configuration with the default {@link ServerLimits}. */
    public CoordinatorConfig(String host, int port, Tls tls, Path tlsDirectory, Path keystore, String keystorePassword,
            String keystoreType, TokenHash adminToken, Map<String, TokenHash> siteTokens, String providerId,
            long maxUploadBytes, int maxConcurrentUploads, int maxPollSeconds, Path clientTruststore,
            String clientTruststorePassword, String clientTruststoreType, double requestsPerSecond, int requestBurst,
            Map<String, String> siteCertificates) {
        this(host, port, tls, tlsDirectory, keystore, keystorePassword, keystoreType, adminToken, siteTokens,
                providerId, maxUploadBytes, maxConcurrentUploads, maxPollSeconds, clientTruststore,
                clientTruststorePassword, clientTruststoreType, requestsPerSecond, requestBurst, siteCertificates,
                ServerLimits.DEFAULTS);
    }

    /** A configuration without certificates pinned per site. */
    public CoordinatorConfig(String host, int port, Tls tls, Path tlsDirectory, Path keystore, String keystorePassword,
            String keystoreType, TokenHash adminToken, Map<String, TokenHash> siteTokens, String providerId,
            long maxUploadBytes, int maxConcurrentUploads, int maxPollSeconds, Path clientTruststore,
            String clientTruststorePassword, String clientTruststoreType, double requestsPerSecond, int requestBurst) {
        this(host, port, tls, tlsDirectory, keystore, keystorePassword, keystoreType, adminToken, siteTokens,
                providerId, maxUploadBytes, maxConcurrentUploads, maxPollSeconds, clientTruststore,
                clientTruststorePassword, clientTruststoreType, requestsPerSecond, requestBurst, Map.of());
    }

    /** A configuration without mutual TLS and without a rate limit. */
    public CoordinatorConfig(String host, int port, Tls tls, Path tlsDirectory, Path keystore, String keystorePassword,
            String keystoreType, TokenHash adminToken, Map<String, TokenHash> siteTokens, String providerId,
            long maxUploadBytes, int maxConcurrentUploads, int maxPollSeconds) {
        this(host, port, tls, tlsDirectory, keystore, keystorePassword, keystoreType, adminToken, siteTokens,
                providerId, maxUploadBytes, maxConcurrentUploads, maxPollSeconds, null, null, "PKCS12", 0, 1, Map.of());
    }

    /** Reads a configuration file; relative paths in it are resolved against its directory. */
    public static CoordinatorConfig read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Path base = file.toAbsolutePath().getParent();
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        try {
            return from(m, base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a configuration from properties; relative paths resolve against {@code base}. */
    public static CoordinatorConfig from(Map<String, String> p, Path base) {
        String tlsText = p.getOrDefault("tls", "self-signed");
        Tls tls = switch (tlsText) {
            case "self-signed" -> Tls.SELF_SIGNED;
            case "keystore" -> Tls.KEYSTORE;
            case "off" -> Tls.OFF;
            default -> throw new IllegalArgumentException("'tls' must be self-signed, keystore or off, got '"
                    + tlsText + "'");
        };
        Map<String, TokenHash> sites = new LinkedHashMap<>();
        for (String id : p.getOrDefault("sites", "").split(",")) {
            String s = id.trim();
            if (s.isEmpty()) {
                continue;
            }
            String key = "site." + s + ".token";
            if (!p.containsKey(key)) {
                throw new IllegalArgumentException("site '" + s + "' has no '" + key + "'");
            }
            sites.put(s, token(p.get(key), key, base, p));
        }
        Map<String, String> certificates = new LinkedHashMap<>();
        for (String key : p.keySet()) {
            if (key.startsWith("site.") && key.endsWith(".certificateSha256")
                    && key.length() > "site.".length() + ".certificateSha256".length()) {
                String site = key.substring("site.".length(), key.length() - ".certificateSha256".length());
                certificates.put(site, p.get(key));
            }
        }
        String admin = p.get("admin.token");
        double rate = decimal(p, "limits.requestsPerSecond", 0);
        return new CoordinatorConfig(p.getOrDefault("host", "0.0.0.0"), integer(p, "port", 8443), tls,
                path(base, p.getOrDefault("tls.dir", defaultTlsDir())), p.containsKey("tls.keystore")
                        ? path(base, p.get("tls.keystore")) : null,
                p.get("tls.keystore.password"), p.getOrDefault("tls.keystore.type", "PKCS12"),
                admin == null ? null : token(admin, "admin.token", base, p), sites,
                p.getOrDefault("provider.id", "remote"), longValue(p, "limits.maxUploadBytes", 1L << 30),
                integer(p, "limits.concurrentUploads", 4), integer(p, "poll.maxWaitSeconds", 30),
                p.containsKey("tls.clientTruststore") ? path(base, p.get("tls.clientTruststore")) : null,
                p.get("tls.clientTruststore.password"), p.getOrDefault("tls.clientTruststore.type", "PKCS12"), rate,
                integer(p, "limits.requestBurst", Math.max(1, (int) Math.ceil(rate))), certificates,
                ServerLimits.from(p));
    }

    /** A configured token hash, or the hash of a generated token kept in {@code tokens.dir}. */
    private static TokenHash token(String value, String key, Path base, Map<String, String> p) {
        if (value.equals(GeneratedTokens.GENERATE)) {
            // kept as admin.token, site-0.token, ...: the file a site's tokenFile names
            return GeneratedTokens.hash(path(base, p.getOrDefault("tokens.dir", defaultDir("coordinator-tokens"))),
                    key.startsWith("site.") ? key.substring("site.".length()) : key);
        }
        return TokenHash.parse(value, key);
    }

    static double decimal(Map<String, String> p, String key, double fallback) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got '" + v + "'", e);
        }
    }

    private static String defaultTlsDir() {
        return defaultDir("coordinator-tls");
    }

    private static String defaultDir(String name) {
        String workdir = System.getProperty("fedfms.workdir");
        Path root = workdir != null && !workdir.isBlank() ? Path.of(workdir)
                : Path.of(System.getProperty("user.home"), ".fedfms");
        return root.resolve(name).toString();
    }

    private static Path path(Path base, String value) {
        Path p = Path.of(value);
        return base == null || p.isAbsolute() ? p.toAbsolutePath() : base.resolve(p).normalize();
    }

    private static int integer(Map<String, String> p, String key, int fallback) {
        return (int) longValue(p, key, fallback);
    }

    static long longValue(Map<String, String> p, String key, long fallback) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a whole number, got '" + v + "'", e);
        }
    }
}
