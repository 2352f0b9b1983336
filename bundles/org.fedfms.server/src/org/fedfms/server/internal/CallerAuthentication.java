package org.fedfms.server.internal;

import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.fedfms.security.TokenHash;

/**
 * Who a request comes from: the bearer token names the admin or a site; under mutual TLS a site must also present
 * its own certificate. Refusals are {@link HttpError}s (401 without valid credentials, 403 for the wrong caller).
 */
final class CallerAuthentication {

    private static final System.Logger LOG = System.getLogger(CallerAuthentication.class.getName());

    private final CoordinatorConfig config;
    private final SiteCertificates siteCertificates;
    private final CoordinatorMetrics metrics;

    CallerAuthentication(CoordinatorConfig config, CoordinatorMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.siteCertificates = new SiteCertificates(config.siteCertificates());
    }

    /** Who the bearer token says the caller is: "admin", "site:" and a site id, or {@code null}. */
    String caller(Request request) {
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

    /** Refuses a request whose caller is not the admin. */
    void requireAdmin(Request request) {
        String caller = caller(request);
        if (caller == null) {
            throw unauthorized(request);
        }
        if (!caller.equals("admin")) {
            throw new HttpError(403, "site '" + caller.substring(5) + "' may not use the admin API");
        }
    }

    /** Refuses a request that does not come from site {@code siteId} (token, and certificate under mutual TLS). */
    void requireSite(Request request, String siteId) {
        String caller = caller(request);
        if (caller == null) {
            throw unauthorized(request);
        }
        if (caller.equals("admin")) {
            throw new HttpError(403, "the admin credential cannot act as site '" + LogText.of(siteId) + "'");
        }
        if (!caller.equals("site:" + siteId)) {
            throw new HttpError(403, caller.substring(5) + " cannot act as site '" + LogText.of(siteId) + "'");
        }
        if (config.clientTruststore() != null) {
            String refusal = siteCertificates.refusal(siteId, SiteCertificates.peerCertificates(request));
            if (refusal != null) {
                metrics.refusedCertificate.increment();
                LOG.log(System.Logger.Level.WARNING, LogText.of(refusal) + " (from "
                        + request.getConnectionMetaData().getRemoteSocketAddress() + ")");
                throw new HttpError(403, refusal);
            }
        }
    }

    private static HttpError unauthorized(Request request) {
        return new HttpError(401, request.getHeaders().get(HttpHeader.AUTHORIZATION) == null
                ? "no credentials: send 'Authorization: Bearer <token>'" : "the credentials are not valid");
    }
}
