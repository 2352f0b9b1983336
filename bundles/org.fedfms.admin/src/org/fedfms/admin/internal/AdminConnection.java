package org.fedfms.admin.internal;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Properties;


import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.fedfms.security.PinnedTrust;

/**
 * The admin API of one coordinator, as {@code admin.properties} describes it: {@code coordinator} (its URL),
 * {@code tls.fingerprint} (the SHA-256 fingerprint of its certificate, pinned), {@code admin.token}, and under
 * mutual TLS {@code tls.keystore} (relative to the file) with {@code tls.keystore.password}.
 */
final class AdminConnection {

    private final URI base;
    private final String token;
    private final HttpClient client;

    private AdminConnection(URI base, String token, HttpClient client) {
        this.base = base;
        this.token = token;
        this.client = client;
    }

    /** Reads the configuration file; a missing or wrong key is a usage error naming the file and the key. */
    static AdminConnection of(Path config) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("no configuration file " + config + " (fedfms provision writes admin.properties)");
        }
        String url = required(p, config, "coordinator");
        String token = required(p, config, "admin.token");
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url : url + "/");
        } catch (IllegalArgumentException e) {
            throw new UsageException(config + ": 'coordinator' is not a URL: " + url);
        }
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
        if ("https".equals(base.getScheme())) {
            String pin = required(p, config, "tls.fingerprint");
            String keystore = p.getProperty("tls.keystore");
            try {
                javax.net.ssl.KeyManager[] keys = keystore == null || keystore.isBlank() ? null
                        : PinnedTrust.keystore(config.toAbsolutePath().getParent().resolve(keystore.strip()),
                                required(p, config, "tls.keystore.password"), "PKCS12");
                b.sslContext(PinnedTrust.fingerprint(pin, keys));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new UsageException(config + ": TLS ('tls.fingerprint', 'tls.keystore'): " + e.getMessage());
            }
        } else if (!"http".equals(base.getScheme())) {
            throw new UsageException(config + ": 'coordinator' must be an https:// (or loopback http://) URL: " + url);
        }
        return new AdminConnection(base, token, b.build());
    }

    private static String required(Properties p, Path config, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new UsageException(config + ": '" + key + "' is missing");
        }
        return v.strip();
    }

    /** A call that must succeed (2xx); its JSON body. Anything else fails with the coordinator's answer. */
    JsonElement call(String method, String path, String json) throws IOException {
        URI uri = base.resolve("api/v1/" + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + uri, e);
        } catch (IOException e) {
            throw new IOException("cannot reach the coordinator at " + base + " (" + method + " " + uri.getPath()
                    + "): " + e.getMessage(), e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + uri.getPath() + ": HTTP " + r.statusCode() + ": " + r.body().strip());
        }
        return r.body().isBlank() ? JsonParser.parseString("{}") : JsonParser.parseString(r.body());
    }
}
