package org.fedfms.site.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

import org.fedfms.api.ParameterSet;
import org.fedfms.security.PinnedTrust;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.DeltaTransfer;
import org.fedfms.wire.protocol.FailureReport;

/**
 * A site's HTTP side of the site protocol: the site API's addresses, the bearer token, TLS pinned to the
 * coordinator, waiting out 429/503 answers as their Retry-After says, downloads of parameter sets and uploads
 * of updates with a few tries on transient answers. Holds no federation state.
 */
final class CoordinatorClient {

    /** A parameter set received, with the digest of the base a delta was computed against (or null). */
    record Download(ParameterSet parameters, String base, int round) {
    }

    private static final System.Logger LOG = System.getLogger(SiteAgent.class.getName());
    private static final int MAX_RETRY_AFTER_ATTEMPTS = 1000;
    private static final int UPLOAD_ATTEMPTS = 3;
    private static final long MAX_RETRY_AFTER_MILLIS = 300_000;

    private final SiteAgentConfig config;
    private final BooleanSupplier running;
    private final HttpClient http;
    private volatile long retryAfterWaits;

    CoordinatorClient(SiteAgentConfig config, BooleanSupplier running) throws Exception {
        this.config = config;
        this.running = running;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if ("https".equals(config.coordinator().getScheme())) {
            KeyManager[] keys = config.keystore() == null ? null
                    : PinnedTrust.keystore(config.keystore(), config.keystorePassword(), config.keystoreType());
            SSLContext ssl = config.fingerprint() != null ? PinnedTrust.fingerprint(config.fingerprint(), keys)
                    : PinnedTrust.truststore(config.truststore(), config.truststorePassword(), keys);
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    HttpClient http() {
        return http;
    }

    /** Requests sent again after a 429 or 503 answer with Retry-After, having waited as it said. */
    long retryAfterWaits() {
        return retryAfterWaits;
    }

    /** The site API's address {@code rest} for this site. */
    URI site(String rest) {
        return config.coordinator().resolve("api/v1/sites/" + config.siteId() + "/" + rest);
    }

    HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + config.token())
                .timeout(Duration.ofMinutes(10));
    }

    HttpRequest.Builder post(String rest, String json) {
        return authorized(site(rest)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    /** Sends a JSON POST and requires a 2xx answer. */
    HttpResponse<String> postOk(String rest, String json, String what) throws IOException {
        HttpResponse<String> r = send(post(rest, json));
        requireOk(r, what);
        return r;
    }

    /** Reports a task's failure (the reason only; no data). */
    void fail(String taskId, String why) throws IOException {
        send(post("tasks/" + taskId + "/failure", new FailureReport(why).toJson().toString()));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return exchange(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Sends a request; while the coordinator answers 429 (rate limit) or 503 (busy) with a Retry-After, waits that
     * long and sends it again (a streamed body is encoded again), so that a limit never costs the site its task.
     */
    <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest built = request.setHeader("Authorization", "Bearer " + config.token()).build();
        for (int attempt = 1;; attempt++) {
            HttpResponse<T> r = http.send(built, handler);
            long wait = RetryAfter.millis(r, MAX_RETRY_AFTER_MILLIS);
            if (wait < 0 || attempt >= MAX_RETRY_AFTER_ATTEMPTS || !running.getAsBoolean()) {
                return r;
            }
            String why = r.body() instanceof String text ? text : "";
            if (r.body() instanceof InputStream in) {
                in.close();
            }
            retryAfterWaits++;
            LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": the coordinator answered HTTP "
                    + r.statusCode() + " to " + built.method() + " " + built.uri().getPath() + " " + why
                    + "; retrying after " + wait + " ms as its Retry-After says");
            Thread.sleep(wait);
        }
    }

    /** Downloads {@code tasks/T/what?query}: a wire message, bounded by its announced length. */
    Download download(String taskId, String what, String query) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = exchange(authorized(site("tasks/" + taskId + "/" + what + query)).GET(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("downloading the " + what + " of task " + taskId + " failed: HTTP "
                        + r.statusCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            String base = r.headers().firstValue(DeltaTransfer.BASE_HEADER).map(v -> DeltaTransfer.digest(v,
                    "the coordinator's " + DeltaTransfer.BASE_HEADER + " header")).orElse(null);
            HeaderCheck check = length >= 0 ? HeaderCheck.messageBytes(length) : HeaderCheck.NONE;
            WireMessage m = WireDecoder.withDefaults().decode(in, check);
            String received = "parameters".equals(what) ? "global parameters" : "the " + what;
            LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": received " + received + " of round "
                    + m.round() + " (" + length + " bytes, " + m.parameters().parameterCount() + " parameters)");
            return new Download(m.parameters(), base, m.round());
        }
    }

    /**
     * Uploads an update to {@code tasks/T/update}, sent again on 408 and 503. Returns whether the coordinator took
     * it; a refusal (4xx) is logged and, unless it was a 409 (the task is over), reported as the task's failure.
     */
    boolean upload(String taskId, WireMessage message, WireEncoder encoder, String base)
            throws IOException, InterruptedException {
        HttpResponse<String> r;
        for (int attempt = 1;; attempt++) {
            HttpRequest.Builder b = authorized(site("tasks/" + taskId + "/update"));
            if (base != null) {
                b.header(DeltaTransfer.BASE_HEADER, base);
            }
            r = send(b.header("Content-Type", "application/octet-stream")
                    .POST(EncodingBody.publisher(encoder, message)));
            // 408 (the link was too slow) and 503 are transient: the update is sent again
            if ((r.statusCode() != 408 && r.statusCode() != 503) || attempt >= UPLOAD_ATTEMPTS
                    || !running.getAsBoolean()) {
                break;
            }
            LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": the coordinator answered HTTP "
                    + r.statusCode() + " to the update of round " + message.round() + "; sending it again ("
                    + (attempt + 1) + " of " + UPLOAD_ATTEMPTS + ")");
            Thread.sleep(config.retryInitialMillis() * attempt);
        }
        if (r.statusCode() / 100 == 4) {
            String why = "the coordinator refused the update of round " + message.round() + ": HTTP "
                    + r.statusCode() + " " + r.body();
            LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": " + why);
            if (r.statusCode() != 409) {
                fail(taskId, why);
            }
            return false;
        }
        requireOk(r, "uploading an update");
        return true;
    }

    static void requireOk(HttpResponse<String> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "the coordinator cannot be reached (" + e + ")";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
