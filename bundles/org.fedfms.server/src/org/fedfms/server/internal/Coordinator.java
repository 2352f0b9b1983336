package org.fedfms.server.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.fedfms.api.SiteInfo;
import org.fedfms.federation.ExperimentNotFoundException;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;

import com.google.gson.JsonObject;

/**
 * The coordinator: the {@link SiteProvider} through which the federation engine runs rounds on the joined
 * sites, serving over HTTP(S) the site API ({@link SiteApi}), the admin API ({@link AdminApi}), {@code /health}
 * and {@code /metrics}. It adapts HTTP to {@link FederatedSite}; the round loop stays in the federation engine.
 */
public final class Coordinator implements SiteProvider, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Coordinator.class.getName());
    private static final String API = "/api/v1/";

    private final CoordinatorConfig config;
    private final FederationService federation;
    private final Map<String, SiteConnection> connections = new LinkedHashMap<>();
    private final Map<String, Map<String, RemoteSite>> remoteSites = new ConcurrentHashMap<>();
    private final CoordinatorMetrics metrics = new CoordinatorMetrics();
    private final Map<String, HeldUpdates> heldUpdates = new ConcurrentHashMap<>();
    private final ParameterTransfers transfers;
    private final SiteApi siteApi;
    private final AdminApi adminApi;
    private final CoordinatorServer server;
    private final FederationListener roundListener = this::onEvent;

    public Coordinator(CoordinatorConfig config, FederationService federation) {
        this.config = config;
        this.federation = federation;
        config.siteTokens().keySet().forEach(id -> connections.put(id, new SiteConnection(id)));
        CallerAuthentication authentication = new CallerAuthentication(config, metrics);
        this.transfers = new ParameterTransfers(config, metrics, this::held);
        this.siteApi = new SiteApi(config, connections, authentication, metrics, transfers);
        this.adminApi = new AdminApi(federation, connections, authentication);
        this.server = new CoordinatorServer(config);
    }

    /** Starts listening; generates the self-signed certificate first if it is missing. */
    public void start() throws Exception {
        federation.addListener(roundListener);
        server.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        SiteRateLimiter rateLimiter = siteApi.rateLimiter();
        LOG.log(System.Logger.Level.INFO, "coordinator listening on " + uri()
                + (fingerprint() == null ? "" : " (certificate SHA-256 " + fingerprint() + ")")
                + (config.clientTruststore() == null ? "" : "; sites must present a certificate of "
                        + config.clientTruststore())
                + (rateLimiter.limits() ? "; at most " + rateLimiter.perSecond() + " requests/s per site (burst "
                        + rateLimiter.burst() + ")" : ""));
    }

    @Override
    public void close() {
        federation.removeListener(roundListener);
        connections.values().forEach(c -> c.leave("was disconnected (the coordinator stopped)"));
        server.stop();
    }

    /** The port listened on. */
    public int port() {
        return server.port();
    }

    /** The base address, e.g. {@code https://127.0.0.1:8443/}. */
    public URI uri() {
        return server.uri();
    }

    /** SHA-256 fingerprint of the server certificate (hex), or {@code null} without TLS. */
    public String fingerprint() {
        return server.fingerprint();
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
            if (c.alive(leaseMillis())) {
                RemoteSite r = mine.computeIfAbsent(c.siteId(), id -> new RemoteSite(c, spec));
                r.spec(spec);
                joined.add(r);
            }
        }
        return joined;
    }

    /**
     * Whether enough sites have joined for a round of {@code spec}: as many as its minSites that train. Sites
     * not heard from within the lease ({@code limits.siteLeaseSeconds}) do not count.
     */
    @Override
    public boolean ready(ExperimentSpec spec) {
        List<SiteInfo> joined = new ArrayList<>();
        for (SiteConnection c : connections.values()) {
            if (c.alive(leaseMillis())) {
                joined.add(c.info());
            }
        }
        return SiteProvider.trainingSites(spec, joined) >= spec.participation().minSites();
    }

    private long leaseMillis() {
        return config.limits().siteLeaseSeconds() * 1000L;
    }

    private HeldUpdates held(String experiment) {
        return heldUpdates.computeIfAbsent(experiment, e -> new HeldUpdates(config.maxConcurrentUploads()));
    }

    private void onEvent(FederationEvent event) {
        RoundLog.log(event);
        if (event instanceof FederationEvent.RoundStarted started) {
            held(started.experiment()).roundStarted(started.round());
        } else if (event instanceof FederationEvent.SiteFinished finished) {
            held(finished.experiment()).siteFinished(finished.round(), finished.site().siteId());
        }
        if (event instanceof FederationEvent.ExperimentCompleted || event instanceof FederationEvent.ExperimentPaused
                || event instanceof FederationEvent.ExperimentFailed) {
            transfers.forget(event.experiment());
            siteApi.forgetStartingState(event.experiment());
            heldUpdates.remove(event.experiment());
        }
        if (event instanceof FederationEvent.RoundCompleted done && runsHere(done.experiment())) {
            metrics.roundCompleted(done.result());
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
                HttpJson.json(response, callback, 200, o);
            } else if (path.equals("/metrics")) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                metrics.forgetRemoved(federation.experiments());
                Content.Sink.write(response, true, metrics.text(this::sitesConnected, connections.size(),
                        siteApi::startingStatesHeld), callback);
            } else if (path.startsWith(API + "sites/")) {
                siteApi.serve(request, response, callback, method, path.substring((API + "sites/").length())
                        .split("/"));
            } else if (path.startsWith(API + "experiments") || path.equals(API + "sites")) {
                adminApi.serve(request, response, callback, method, path.substring(API.length()).split("/"));
            } else {
                throw new HttpError(404, "no such resource: " + LogText.of(method) + " " + LogText.of(path));
            }
        } catch (HttpError e) {
            HttpJson.error(request, response, callback, e.status, e.getMessage());
        } catch (FederationException e) {
            HttpJson.error(request, response, callback, e instanceof ExperimentNotFoundException ? 404 : 409,
                    e.getMessage());
        } catch (IllegalArgumentException e) {
            HttpJson.error(request, response, callback, 400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, LogText.of(method) + " " + LogText.of(path) + " failed", e);
            HttpJson.error(request, response, callback, 500, "internal error: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpJson.error(request, response, callback, 503, "the coordinator is stopping");
        }
    }
}
