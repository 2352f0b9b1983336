package org.fedfms.server.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.MessageKind;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireLayoutException;
import org.fedfms.wire.WireLimits;
import org.fedfms.wire.WireMessage;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The coordinator: a Jetty server speaking the site API ({@code /api/v1/sites/<id>/...}) and the admin
 * API ({@code /api/v1/experiments/...}), plus {@code /health} and {@code /metrics}; and the
 * {@link SiteProvider} through which the federation engine runs rounds on the joined sites. It adapts
 * HTTP to {@link FederatedSite}; the round loop stays in the federation engine.
 */
public final class Coordinator implements SiteProvider, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Coordinator.class.getName());
    private static final String API = "/api/v1/";
    private static final long MAX_JSON_BYTES = 1 << 20;

    private final CoordinatorConfig config;
    private final FederationService federation;
    private final Map<String, SiteConnection> connections = new LinkedHashMap<>();
    private final Map<String, Map<String, RemoteSite>> remoteSites = new ConcurrentHashMap<>();
    private final CoordinatorMetrics metrics = new CoordinatorMetrics();
    private final UploadGate uploads;
    private final Map<String, HeldUpdates> heldUpdates = new ConcurrentHashMap<>();
    private final SiteRateLimiter rateLimiter;
    private final SiteCertificates siteCertificates;
    private final WireDecoder decoder;
    private final SharedDownloads downloads = new SharedDownloads(WireEncoder.fp32());
    private final FederationListener roundListener = this::onEvent;
    private Server server;
    private ServerConnector connector;
    private String fingerprint;

    public Coordinator(CoordinatorConfig config, FederationService federation) {
        this.config = config;
        this.federation = federation;
        config.siteTokens().keySet().forEach(id -> connections.put(id, new SiteConnection(id)));
        this.uploads = new UploadGate(config.maxConcurrentUploads());
        this.siteCertificates = new SiteCertificates(config.siteCertificates());
        this.rateLimiter = new SiteRateLimiter(config.requestsPerSecond(), config.requestBurst(), System::nanoTime);
        this.decoder = new WireDecoder(WireLimits.defaults().withMaxMessageBytes(config.maxUploadBytes()));
    }

    /** Starts listening; generates the self-signed certificate first if it is missing. */
    public void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("fedfms-coordinator");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        if (config.tls() == CoordinatorConfig.Tls.OFF) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            Path store;
            String password;
            String type;
            if (config.tls() == CoordinatorConfig.Tls.SELF_SIGNED) {
                password = SelfSignedKeystore.ensure(config.tlsDirectory(), config.host());
                store = config.tlsDirectory().resolve(SelfSignedKeystore.KEYSTORE);
                type = "PKCS12";
            } else {
                store = config.keystore();
                password = config.keystorePassword();
                type = config.keystoreType();
            }
            fingerprint = SelfSignedKeystore.fingerprint(store, password, type);
            if (config.tls() == CoordinatorConfig.Tls.SELF_SIGNED) {
                SelfSignedKeystore.writeOwnerOnly(config.tlsDirectory().resolve(SelfSignedKeystore.FINGERPRINT),
                        fingerprint + "\n");
            }
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(store.toString());
            ssl.setKeyStorePassword(password);
            ssl.setKeyStoreType(type);
            if (config.clientTruststore() != null) {
                ssl.setTrustStorePath(config.clientTruststore().toString());
                ssl.setTrustStorePassword(config.clientTruststorePassword());
                ssl.setTrustStoreType(config.clientTruststoreType());
                ssl.setNeedClientAuth(true);
            }
            http.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        federation.addListener(roundListener);
        server.start();
        LOG.log(System.Logger.Level.INFO, "coordinator listening on " + uri()
                + (fingerprint == null ? "" : " (certificate SHA-256 " + fingerprint + ")")
                + (config.clientTruststore() == null ? "" : "; sites must present a certificate of "
                        + config.clientTruststore())
                + (rateLimiter.limits() ? "; at most " + rateLimiter.perSecond() + " requests/s per site (burst "
                        + rateLimiter.burst() + ")" : ""));
    }

    @Override
    public void close() {
        federation.removeListener(roundListener);
        connections.values().forEach(c -> c.leave("was disconnected (the coordinator stopped)"));
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stopping the coordinator's HTTP server failed", e);
            }
        }
    }

    /** The port listened on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The base address, e.g. {@code https://127.0.0.1:8443/}. */
    public URI uri() {
        String scheme = config.tls() == CoordinatorConfig.Tls.OFF ? "http" : "https";
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** SHA-256 fingerprint of the server certificate (hex), or {@code null} without TLS. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Number of sites joined now. */
    public int sitesConnected() {
        return (int) connections.values().stream().filter(SiteConnection::joined).count();
    }

    // ---------------------------------------------------------------- SiteProvider

    @Override
    public String id() {
        return config.providerId();
    }

    /** Sites answer over the network in an order nobody controls: their updates are folded in as they come. */
    @Override
    public boolean aggregatesInArrivalOrder() {
        return true;
    }

    @Override
    public List<FederatedSite> sites(ExperimentSpec spec) {
        Map<String, RemoteSite> mine = remoteSites.computeIfAbsent(spec.name(), n -> new ConcurrentHashMap<>());
        List<FederatedSite> joined = new ArrayList<>();
        for (SiteConnection c : connections.values()) {
            if (c.joined()) {
                RemoteSite r = mine.computeIfAbsent(c.siteId(), id -> new RemoteSite(c, spec));
                r.spec(spec);
                joined.add(r);
            }
        }
        return joined;
    }

    /** Whether enough sites have joined for a round of {@code spec}: as many as its minSites that train. */
    @Override
    public boolean ready(ExperimentSpec spec) {
        List<SiteInfo> joined = new ArrayList<>();
        for (SiteConnection c : connections.values()) {
            if (c.joined()) {
                joined.add(c.info());
            }
        }
        return SiteProvider.trainingSites(spec, joined) >= spec.minSites();
    }

    private HeldUpdates held(String experiment) {
        return heldUpdates.computeIfAbsent(experiment,
                e -> new HeldUpdates(config.maxConcurrentUploads()));
    }

    private void onEvent(FederationEvent event) {
        if (event instanceof FederationEvent.RoundStarted started) {
            held(started.experiment()).roundStarted(started.round());
        } else if (event instanceof FederationEvent.SiteFinished finished) {
            held(finished.experiment()).siteFinished(finished.round(), finished.site().siteId());
        }
        if (event instanceof FederationEvent.ExperimentCompleted || event instanceof FederationEvent.ExperimentPaused
                || event instanceof FederationEvent.ExperimentFailed) {
            downloads.forget(event.experiment());
        }
        if (event instanceof FederationEvent.RoundCompleted done && runsHere(done.experiment())) {
            metrics.roundCompleted(done.result().durationMillis());
        }
    }

    private boolean runsHere(String experiment) {
        try {
            return federation.spec(experiment).dataset().equals(config.providerId());
        } catch (FederationException gone) {
            return false;
        }
    }

    // ---------------------------------------------------------------- HTTP

    private void serve(Request request, Response response, Callback callback) {
        metrics.requests.increment();
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            if (path.equals("/health")) {
                JsonObject o = new JsonObject();
                o.addProperty("status", "ok");
                o.addProperty("sitesConnected", sitesConnected());
                o.addProperty("sitesConfigured", connections.size());
                json(response, callback, 200, o);
            } else if (path.equals("/metrics")) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                Content.Sink.write(response, true, metrics.text(this::sitesConnected, connections.size()), callback);
            } else if (path.startsWith(API + "sites/")) {
                siteApi(request, response, callback, method, path.substring((API + "sites/").length()).split("/"));
            } else if (path.startsWith(API + "experiments") || path.equals(API + "sites")) {
                adminApi(request, response, callback, method, path.substring(API.length()).split("/"));
            } else {
                throw new HttpError(404, "no such resource: " + method + " " + path);
            }
        } catch (HttpError e) {
            error(request, response, callback, e.status, e.getMessage());
        } catch (FederationException e) {
            error(request, response, callback, e.getMessage().startsWith("no experiment") ? 404 : 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(request, response, callback, 400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, method + " " + path + " failed", e);
            error(request, response, callback, 500, "internal error: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(request, response, callback, 503, "the coordinator is stopping");
        }
    }

    /**
     * Reads what is left of a small refused request body, so the connection stays usable; a large one
     * is not read: the connection is closed after the answer instead.
     */
    private static void drain(Request request, Response response) {
        long length = request.getLength();
        if (length == 0) {
            return;
        }
        if (length > 0 && length <= MAX_JSON_BYTES) {
            try {
                Content.Source.consumeAll(request);
                return;
            } catch (IOException | RuntimeException e) {
                // fall through: close the connection
            }
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }

    /** Who the bearer token says the caller is: "admin", a site id, or {@code null}. */
    private String caller(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = auth.substring(7).trim();
        if (config.adminToken().matches(token)) {
            return "admin";
        }
        for (Map.Entry<String, TokenHash> e : config.siteTokens().entrySet()) {
            if (e.getValue().matches(token)) {
                return "site:" + e.getKey();
            }
        }
        return null;
    }

    private static HttpError unauthorized(Request request) {
        return new HttpError(401, request.getHeaders().get(HttpHeader.AUTHORIZATION) == null
                ? "no credentials: send 'Authorization: Bearer <token>'" : "the credentials are not valid");
    }

    private void siteApi(Request request, Response response, Callback callback, String method, String[] parts)
            throws InterruptedException {
        String siteId = parts[0];
        String caller = caller(request);
        if (caller == null) {
            throw unauthorized(request);
        }
        if (caller.equals("admin")) {
            throw new HttpError(403, "the admin credential cannot act as site '" + siteId + "'");
        }
        if (!caller.equals("site:" + siteId)) {
            throw new HttpError(403, caller.substring(5) + " cannot act as site '" + siteId + "'");
        }
        if (config.clientTruststore() != null) {
            String refusal = siteCertificates.refusal(siteId, SiteCertificates.peerCertificates(request));
            if (refusal != null) {
                metrics.refusedCertificate.increment();
                LOG.log(System.Logger.Level.WARNING, refusal + " (from "
                        + request.getConnectionMetaData().getRemoteSocketAddress() + ")");
                throw new HttpError(403, refusal);
            }
        }
        SiteConnection c = connections.get(siteId);
        // The update of a task the site holds is not limited: there is one per task, and refusing a large body
        // before reading it closes the connection mid-upload, which would cost the site its round.
        boolean heldUpdate = method.equals("POST") && parts.length == 4 && parts[1].equals("tasks")
                && parts[3].equals("update") && c.delivered(parts[2]) != null;
        long waitNanos = heldUpdate ? 0 : rateLimiter.acquire(siteId);
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            metrics.rateLimited.increment();
            response.getHeaders().put(HttpHeader.RETRY_AFTER, seconds);
            throw new HttpError(429, "site '" + siteId + "' sent more than " + rateLimiter.perSecond()
                    + " requests per second (limits.requestsPerSecond, bursts of limits.requestBurst="
                    + rateLimiter.burst() + "); retry after " + seconds + " s");
        }
        String action = parts.length > 1 ? parts[1] : "";
        if (method.equals("POST") && action.equals("join") && parts.length == 2) {
            JsonObject body = jsonBody(request);
            SiteInfo info = new SiteInfo(siteId, count(body, "trainSamples"), count(body, "validationSamples"),
                    count(body, "testSamples"), Map.of());
            c.join(info);
            LOG.log(System.Logger.Level.INFO, "site " + siteId + " joined (" + info.trainSamples() + " training samples)");
            JsonObject o = new JsonObject();
            o.addProperty("siteId", siteId);
            o.addProperty("maxPollSeconds", config.maxPollSeconds());
            json(response, callback, 200, o);
            return;
        }
        if (method.equals("POST") && action.equals("leave") && parts.length == 2) {
            c.leave("left");
            json(response, callback, 200, new JsonObject());
            return;
        }
        if (!c.joined()) {
            throw new HttpError(409, "site '" + siteId + "' has not joined: POST /api/v1/sites/" + siteId
                    + "/join first");
        }
        if (method.equals("GET") && action.equals("task") && parts.length == 2) {
            String wait = Request.extractQueryParameters(request).getValue("wait");
            int seconds = Math.min(config.maxPollSeconds(), wait == null ? config.maxPollSeconds() : parse(wait, "wait"));
            SiteTask t = c.poll(Math.max(0, seconds) * 1000L);
            if (t == null) {
                response.setStatus(204);
                callback.succeeded();
                return;
            }
            json(response, callback, 200, describe(t));
            return;
        }
        if (action.equals("tasks") && parts.length == 4) {
            String taskId = parts[2];
            SiteTask t = c.delivered(taskId);
            if (t == null) {
                throw new HttpError(409, "task " + taskId + " of site '" + siteId + "' is not open (stale: its round "
                        + "ended, it timed out or was cancelled); fetch the next task");
            }
            switch (method + " " + parts[3]) {
                case "GET parameters" -> download(response, callback, t);
                case "POST update" -> upload(request, response, callback, c, t);
                case "POST evaluation" -> evaluation(request, response, callback, t);
                case "POST failure" -> {
                    JsonObject body = jsonBody(request);
                    String message = body.has("message") ? body.get("message").getAsString() : "no reason given";
                    t.result().completeExceptionally(new IllegalStateException("site '" + siteId + "' reported: "
                            + message));
                    c.forget(t);
                    json(response, callback, 200, new JsonObject());
                }
                default -> throw new HttpError(404, "no such resource: " + method + " .../tasks/" + taskId + "/"
                        + parts[3]);
            }
            return;
        }
        throw new HttpError(404, "no such site resource: " + method + " /api/v1/sites/" + String.join("/", parts));
    }

    private static JsonObject describe(SiteTask t) {
        JsonObject o = new JsonObject();
        o.addProperty("taskId", t.id());
        o.addProperty("kind", t.kind().name());
        o.addProperty("experiment", t.experiment());
        o.addProperty("round", t.round());
        o.add("spec", JsonParser.parseString(ExperimentSpecJson.toJson(t.spec())));
        o.add("instructions", ServerJson.GSON.toJsonTree(t.instructions().values()));
        if (t.split() != null) {
            o.addProperty("split", t.split().name());
        }
        o.addProperty("hasParameters", t.parameters() != null);
        return o;
    }

    private void download(Response response, Callback callback, SiteTask t) {
        if (t.parameters() == null) {
            throw new HttpError(404, t.describe() + " has no parameters to download");
        }
        SharedDownloads.Encoded message = downloads.get(t.experiment(), t.round(), t.parameters());
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, message.size());
        // written asynchronously, chunk after chunk, from the shared bytes: no thread waits on a slow site
        List<byte[]> chunks = message.chunks();
        new IteratingCallback() {
            private int next;

            @Override
            protected Action process() {
                if (next == chunks.size()) {
                    return Action.SUCCEEDED;
                }
                byte[] chunk = chunks.get(next++);
                response.write(next == chunks.size(), ByteBuffer.wrap(chunk), this);
                return Action.SCHEDULED;
            }

            @Override
            protected void onCompleteSuccess() {
                metrics.bytesOut.add(message.size());
                callback.succeeded();
            }

            @Override
            protected void onCompleteFailure(Throwable cause) {
                callback.failed(cause);
            }
        }.iterate();
    }

    private void upload(Request request, Response response, Callback callback, SiteConnection c, SiteTask t)
            throws InterruptedException {
        if (t.kind() == SiteTask.Kind.EVALUATE) {
            throw rejected(409, t.describe() + " asks for an evaluation: POST .../evaluation, not an update");
        }
        long length = request.getLength();
        if (length < 0) {
            throw rejected(411, "an update needs a Content-Length");
        }
        if (length > config.maxUploadBytes()) {
            throw rejected(413, "the update of " + length + " bytes exceeds the limit of " + config.maxUploadBytes()
                    + " bytes (limits.maxUploadBytes)");
        }
        // waits its turn rather than being refused: a site refused with a large body unread would see its
        // connection reset, not the answer. Waiting is not idleness; the wait ends with the task at the latest.
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleTimeout = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(0);
        boolean slot;
        try {
            HeldUpdates held = held(t.experiment());
            slot = uploads.acquire(t::open, () -> held.mayDecode(t.round()));
        } finally {
            endPoint.setIdleTimeout(idleTimeout);
        }
        if (!slot) {
            throw rejected(409, t.describe() + " ended while the update waited for one of the "
                    + config.maxConcurrentUploads() + " upload slots (limits.concurrentUploads); it is stale");
        }
        WireMessage m;
        int[] status = {400};
        try {
            HeaderCheck identity = h -> {
                if (h.kind() != MessageKind.UPDATE) {
                    throw new WireFormatException("the message is a " + h.kind() + " message, not an UPDATE");
                }
                if (!h.siteId().equals(c.siteId())) {
                    status[0] = 403;
                    throw new WireFormatException("the update says it comes from site '" + h.siteId()
                            + "' but was sent by site '" + c.siteId() + "'");
                }
                if (!h.experimentId().equals(t.experiment())) {
                    status[0] = 409;
                    throw new WireFormatException("the update is for experiment '" + h.experimentId() + "' but "
                            + t.describe() + " is for '" + t.experiment() + "'");
                }
                if (h.round() != t.round()) {
                    status[0] = 409;
                    throw new WireFormatException("stale update: it is for round " + h.round() + " but "
                            + t.describe() + " is for round " + t.round());
                }
            };
            HeaderCheck check = HeaderCheck.messageBytes(length).and(identity);
            if (t.parameters() != null) {
                check = check.and(HeaderCheck.layoutOf(t.parameters()));
            }
            try (InputStream in = Content.Source.asInputStream(request)) {
                m = decoder.decode(in, check);
            }
        } catch (WireLayoutException e) {
            throw rejected(422, "update refused: " + e.getMessage());
        } catch (EOFException e) {
            throw rejected(400, "update refused: the message ended early (truncated): " + e.getMessage());
        } catch (IOException e) {
            throw rejected(status[0], "update refused: " + e.getMessage());
        } finally {
            uploads.release();
        }
        metrics.bytesIn.add(length);
        ParameterSet parameters;
        try {
            // screened here, in the upload's thread, once: the strategy's UpdateCheck on the round thread
            // then finds the set screened rather than passing over its values again
            parameters = m.parameters().screenedFinite();
        } catch (IllegalArgumentException bad) {
            throw rejected(422, "update refused: it holds a non-finite value: " + bad.getMessage());
        }
        if (parameters.isEmpty()) {
            throw rejected(422, "update refused: it holds no tensors");
        }
        for (Map.Entry<String, Double> e : m.metrics().values().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw rejected(422, "update refused: metric '" + e.getKey() + "' is not finite");
            }
        }
        if (!t.result().complete(new FitResult(c.siteId(), parameters, m.sampleCount(), m.metrics()))) {
            throw rejected(409, t.describe() + " ended while the update was read (stale)");
        }
        held(t.experiment()).handedOver(t.round(), c.siteId());
        c.forget(t);
        metrics.updatesAccepted.increment();
        JsonObject o = new JsonObject();
        o.addProperty("accepted", true);
        o.addProperty("bytes", length);
        json(response, callback, 200, o);
    }

    private HttpError rejected(int status, String message) {
        metrics.updatesRejected.increment();
        LOG.log(System.Logger.Level.WARNING, message);
        return new HttpError(status, message);
    }

    private void evaluation(Request request, Response response, Callback callback, SiteTask t) {
        if (t.kind() != SiteTask.Kind.EVALUATE) {
            throw new HttpError(409, t.describe() + " asks for parameters: POST .../update, not an evaluation");
        }
        JsonObject body = jsonBody(request);
        Map<String, Double> values = new LinkedHashMap<>();
        if (body.has("metrics") && body.get("metrics").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : body.getAsJsonObject("metrics").entrySet()) {
                double v = e.getValue().getAsDouble();
                if (!Double.isFinite(v)) {
                    throw new HttpError(422, "metric '" + e.getKey() + "' is not finite");
                }
                values.put(e.getKey(), v);
            }
        }
        if (!t.result().complete(new EvaluateResult(t.siteId(), count(body, "sampleCount"), new Metrics(values)))) {
            throw new HttpError(409, t.describe() + " has ended (stale)");
        }
        json(response, callback, 200, new JsonObject());
    }

    private void adminApi(Request request, Response response, Callback callback, String method, String[] parts) {
        String caller = caller(request);
        if (caller == null) {
            throw unauthorized(request);
        }
        if (!caller.equals("admin")) {
            throw new HttpError(403, "site '" + caller.substring(5) + "' may not use the admin API");
        }
        if (parts[0].equals("sites")) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (SiteConnection c : connections.values()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("siteId", c.siteId());
                m.put("joined", c.joined());
                m.put("trainSamples", c.info().trainSamples());
                m.put("lastSeenMillis", c.lastSeenMillis());
                m.put("joins", c.joins());
                list.add(m);
            }
            json(response, callback, 200, ServerJson.GSON.toJsonTree(list));
            return;
        }
        if (parts.length == 1) {
            if (method.equals("GET")) {
                json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.experiments()));
            } else if (method.equals("POST")) {
                ExperimentSpec spec = ExperimentSpecJson.fromJson(stringBody(request), "the request body");
                json(response, callback, 201, ServerJson.GSON.toJsonTree(federation.create(spec)));
            } else {
                throw new HttpError(405, method + " is not allowed on /api/v1/experiments");
            }
            return;
        }
        String name = parts[1];
        String action = parts.length > 2 ? parts[2] : "";
        switch (method + " " + action) {
            case "GET " -> json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.status(name)));
            case "POST start" -> {
                federation.start(name);
                json(response, callback, 202, ServerJson.GSON.toJsonTree(federation.status(name)));
            }
            case "POST resume" -> {
                federation.resume(name);
                json(response, callback, 202, ServerJson.GSON.toJsonTree(federation.status(name)));
            }
            case "POST pause" -> json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.pause(name)));
            case "POST cancel" -> json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.cancel(name)));
            case "POST strategy" -> {
                JsonObject body = jsonBody(request);
                if (!body.has("strategy")) {
                    throw new HttpError(400, "the body needs \"strategy\" (and optionally \"settings\")");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> settings = body.has("settings")
                        ? ServerJson.GSON.fromJson(body.get("settings"), Map.class) : Map.of();
                json(response, callback, 200, ServerJson.GSON.toJsonTree(federation.swapStrategy(name,
                        body.get("strategy").getAsString(), settings)));
            }
            case "GET history" -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
                Content.Sink.write(response, true, ServerJson.GSON.toJson(federation.history(name)), callback);
            }
            case "GET sites" -> {
                Map<String, List<Map<String, Object>>> bySite = new LinkedHashMap<>();
                for (RoundResult r : federation.history(name)) {
                    for (SiteRoundResult s : r.sites()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("round", r.round());
                        m.put("status", s.status().name());
                        m.put("sampleCount", s.sampleCount());
                        m.put("fitMetrics", s.fitMetrics().values());
                        m.put("evaluationMetrics", s.evaluationMetrics().values());
                        m.put("error", s.error());
                        m.put("bytesDown", s.bytesDown());
                        m.put("bytesUp", s.bytesUp());
                        m.put("durationMillis", s.durationMillis());
                        bySite.computeIfAbsent(s.siteId(), k -> new ArrayList<>()).add(m);
                    }
                }
                json(response, callback, 200, ServerJson.GSON.toJsonTree(bySite));
            }
            default -> throw new HttpError(404, "no such admin resource: " + method + " /api/v1/"
                    + String.join("/", parts));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String stringBody(Request request) {
        long length = request.getLength();
        if (length > MAX_JSON_BYTES) {
            throw new HttpError(413, "a JSON body may have at most " + MAX_JSON_BYTES + " bytes");
        }
        try {
            return Content.Source.asString(request);
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static JsonObject jsonBody(Request request) {
        String text = stringBody(request);
        if (text.isBlank()) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new HttpError(400, "the body must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (RuntimeException e) {
            if (e instanceof HttpError h) {
                throw h;
            }
            throw new HttpError(400, "the body is not valid JSON: " + e.getMessage());
        }
    }

    private static long count(JsonObject o, String key) {
        if (!o.has(key)) {
            return 0;
        }
        try {
            long v = o.get(key).getAsLong();
            if (v < 0) {
                throw new HttpError(400, "'" + key + "' must not be negative");
            }
            return v;
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw new HttpError(400, "'" + key + "' must be a whole number");
        }
    }

    private static int parse(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "'" + what + "' must be a whole number of seconds, got '" + text + "'");
        }
    }

    private static void json(Response response, Callback callback, int status, JsonElement body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        Content.Sink.write(response, true, ServerJson.GSON.toJson(body), callback);
    }

    private static void error(Request request, Response response, Callback callback, int status, String message) {
        drain(request, response);
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        o.addProperty("status", status);
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"fedfms\"");
        }
        json(response, callback, status, o);
    }
}
