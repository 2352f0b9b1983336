package org.fedfms.site.internal;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How a site agent reaches its coordinator and where its data is (see {@code releng/site.properties}).
 *
 * @param coordinator the coordinator's base address
 * @param siteId this site's id at the coordinator
 * @param token this site's credential
 * @param fingerprint SHA-256 of the coordinator's certificate to pin (hex), or {@code null}
 * @param truststore a truststore holding the coordinator's certificate or its CA, or {@code null}
 * @param truststorePassword its password
 * @param dataset id of the local {@link org.fedfms.api.data.DatasetLoader}
 * @param datasetSettings the loader's settings
 * @param datasetSite which site of the loaded dataset is this site's data
 * @param retryInitialMillis first back-off after a failed request
 * @param retryMaxMillis longest back-off
 * @param pollSeconds how long one long-poll waits
 * @param keystore this site's private key and certificate, presented to a coordinator that requires mutual TLS,
 *     or {@code null}
 * @param keystorePassword its password
 * @param keystoreType its type (PKCS12, JKS)
 */
public record SiteAgentConfig(URI coordinator, String siteId, String token, String fingerprint, Path truststore,
        String truststorePassword, String dataset, Map<String, Object> datasetSettings, String datasetSite,
        long retryInitialMillis, long retryMaxMillis, int pollSeconds, Path keystore, String keystorePassword,
        String keystoreType) {

    /** System property naming the site agent's configuration file. */
    public static final String CONFIG_PROPERTY = "fedfms.site.config";

    public SiteAgentConfig {
        datasetSettings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(datasetSettings));
        List<String> problems = new ArrayList<>();
        if (coordinator == null) {
            problems.add("'coordinator' (https://host:port/) is missing");
        } else if (coordinator.getScheme() == null || !coordinator.getScheme().startsWith("http")) {
            problems.add("'coordinator' must be an http(s) address, got " + coordinator);
        }
        if (siteId == null || siteId.isBlank()) {
            problems.add("'site.id' is missing");
        }
        if (token == null || token.isBlank()) {
            problems.add("'site.token' (or 'site.tokenFile') is missing");
        } else if (org.fedfms.wire.protocol.Credentials.problem(token, "site.token") != null) {
            problems.add(org.fedfms.wire.protocol.Credentials.problem(token, "site.token"));
        }
        if (dataset == null || dataset.isBlank()) {
            problems.add("'dataset' (the id of a dataset loader) is missing");
        }
        if (coordinator != null && "https".equals(coordinator.getScheme()) && fingerprint == null
                && truststore == null) {
            problems.add("an https coordinator needs 'tls.fingerprint' (printed by the coordinator at start) or "
                    + "'tls.truststore'");
        }
        if (keystore != null && (coordinator == null || !"https".equals(coordinator.getScheme()))) {
            problems.add("'tls.keystore' (a client certificate for mutual TLS) needs an https coordinator");
        }
        if (retryInitialMillis < 1 || retryMaxMillis < retryInitialMillis) {
            problems.add("retry.initialMillis must be >= 1 and <= retry.maxMillis");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("site agent configuration: " + String.join("; ", problems));
        }
    }

    /** A configuration without a client certificate. */
    public SiteAgentConfig(URI coordinator, String siteId, String token, String fingerprint, Path truststore,
            String truststorePassword, String dataset, Map<String, Object> datasetSettings, String datasetSite,
            long retryInitialMillis, long retryMaxMillis, int pollSeconds) {
        this(coordinator, siteId, token, fingerprint, truststore, truststorePassword, dataset, datasetSettings,
                datasetSite, retryInitialMillis, retryMaxMillis, pollSeconds, null, null, "PKCS12");
    }

    /** Reads a configuration file; relative paths resolve against its directory. */
    public static SiteAgentConfig read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        Path base = file.toAbsolutePath().getParent();
        if (!m.containsKey("site.token") && m.containsKey("site.tokenFile")) {
            m.put("site.token", Files.readString(base.resolve(m.get("site.tokenFile")), StandardCharsets.UTF_8).trim());
        }
        try {
            return from(m, base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a configuration from properties ({@code dataset.<key>} are the loader's settings). */
    public static SiteAgentConfig from(Map<String, String> p, Path base) {
        Map<String, Object> settings = new LinkedHashMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith("dataset.") && !k.equals("dataset.site")) {
                settings.put(k.substring("dataset.".length()), v);
            }
        });
        String ts = p.get("tls.truststore");
        String ks = p.get("tls.keystore");
        String fp = p.get("tls.fingerprint");
        String site = p.get("site.id");
        return new SiteAgentConfig(p.containsKey("coordinator") ? URI.create(withSlash(p.get("coordinator"))) : null,
                site, p.get("site.token"), fp == null ? null : fp.replace(":", "").toLowerCase(java.util.Locale.ROOT),
                ts == null ? null : (base == null ? Path.of(ts) : base.resolve(ts)), p.get("tls.truststore.password"),
                p.get("dataset"), settings, p.getOrDefault("dataset.site", site),
                number(p, "retry.initialMillis", 500), number(p, "retry.maxMillis", 30_000),
                (int) number(p, "poll.waitSeconds", 25), ks == null ? null : (base == null ? Path.of(ks)
                        : base.resolve(ks)), p.get("tls.keystore.password"), p.getOrDefault("tls.keystore.type",
                                "PKCS12"));
    }

    private static String withSlash(String s) {
        return s.endsWith("/") ? s : s + "/";
    }

    private static long number(Map<String, String> p, String key, long fallback) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a whole number, got '" + v + "'", e);
        }
    }
}
