package org.fedfms.server.internal;

import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.fedfms.api.Metrics;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.wire.protocol.EvaluationReport;
import org.fedfms.wire.protocol.FailureReport;
import org.fedfms.wire.protocol.JoinAnswer;
import org.fedfms.wire.protocol.JoinRequest;
import org.fedfms.wire.protocol.ProtocolException;
import org.fedfms.wire.protocol.TaskMessage;

import com.google.gson.JsonObject;

/**
 * The site API, {@code /api/v1/sites/<id>/...}: join, leave, long-poll for a task, and a task's parameters,
 * update, evaluation or failure. Every request is the site's own (token, certificate) and rate limited; the
 * update of a task the site holds is not.
 */
final class SiteApi {

    private static final System.Logger LOG = System.getLogger(SiteApi.class.getName());

    private final CoordinatorConfig config;
    private final Map<String, SiteConnection> connections;
    private final CallerAuthentication authentication;
    private final SiteRateLimiter rateLimiter;
    private final CoordinatorMetrics metrics;
    private final ParameterTransfers transfers;

    SiteApi(CoordinatorConfig config, Map<String, SiteConnection> connections, CallerAuthentication authentication,
            CoordinatorMetrics metrics, ParameterTransfers transfers) {
        this.config = config;
        this.connections = connections;
        this.authentication = authentication;
        this.metrics = metrics;
        this.transfers = transfers;
        this.rateLimiter = new SiteRateLimiter(config.requestsPerSecond(), config.requestBurst(), System::nanoTime);
    }

    SiteRateLimiter rateLimiter() {
        return rateLimiter;
    }

    void serve(Request request, Response response, Callback callback, String method, String[] parts)
            throws InterruptedException {
        String siteId = parts[0];
        authentication.requireSite(request, siteId);
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
            join(request, response, callback, c);
            return;
        }
        if (method.equals("POST") && action.equals("leave") && parts.length == 2) {
            c.leave("left");
            HttpJson.json(response, callback, 200, new JsonObject());
            return;
        }
        if (!c.joined()) {
            throw new HttpError(409, "site '" + siteId + "' has not joined: POST /api/v1/sites/" + siteId
                    + "/join first");
        }
        if (method.equals("GET") && action.equals("task") && parts.length == 2) {
            poll(request, response, callback, c);
            return;
        }
        if (action.equals("tasks") && parts.length == 4) {
            String taskId = parts[2];
            SiteTask t = c.delivered(taskId);
            if (t == null) {
                throw new HttpError(409, "task " + LogText.of(taskId) + " of site '" + siteId + "' is not open (stale:"
                        + " its round ended, it timed out or was cancelled); fetch the next task");
            }
            switch (method + " " + parts[3]) {
                case "GET parameters" -> transfers.download(response, callback, t);
                case "POST update" -> transfers.upload(request, response, callback, c, t);
                case "POST evaluation" -> evaluation(request, response, callback, t);
                case "POST failure" -> failure(request, response, callback, c, t);
                default -> throw new HttpError(404, "no such resource: " + method + " .../tasks/" + LogText.of(taskId)
                        + "/" + LogText.of(parts[3]));
            }
            return;
        }
        throw new HttpError(404, "no such site resource: " + method + " /api/v1/sites/"
                + LogText.of(String.join("/", parts)));
    }

    private void join(Request request, Response response, Callback callback, SiteConnection c) {
        JoinRequest join = read(() -> JoinRequest.of(HttpJson.object(request, "the join body")));
        SiteInfo info = new SiteInfo(c.siteId(), join.trainSamples(), join.validationSamples(), join.testSamples(),
                Map.of());
        c.join(info);
        LOG.log(System.Logger.Level.INFO, "site " + c.siteId() + " joined (" + info.trainSamples()
                + " training samples)");
        HttpJson.json(response, callback, 200, new JoinAnswer(c.siteId(), config.maxPollSeconds()).toJson());
    }

    private void poll(Request request, Response response, Callback callback, SiteConnection c)
            throws InterruptedException {
        String wait = Request.extractQueryParameters(request).getValue("wait");
        int seconds = Math.min(config.maxPollSeconds(), wait == null ? config.maxPollSeconds()
                : HttpJson.seconds(wait, "wait"));
        SiteTask t = c.poll(Math.max(0, seconds) * 1000L);
        if (t == null) {
            response.setStatus(204);
            callback.succeeded();
            return;
        }
        HttpJson.json(response, callback, 200, message(t).toJson());
    }

    /** The task as the site reads it. */
    static TaskMessage message(SiteTask t) {
        return new TaskMessage(t.id(), t.kind().name(), t.experiment(), t.round(), t.spec().trainer(),
                t.spec().trainerSpec(), t.instructions().values(), t.split() == null ? null : t.split().name(),
                t.parameters() != null);
    }

    private void evaluation(Request request, Response response, Callback callback, SiteTask t) {
        if (t.kind() != SiteTask.Kind.EVALUATE) {
            throw new HttpError(409, t.describe() + " asks for parameters: POST .../update, not an evaluation");
        }
        EvaluationReport report = read(() -> EvaluationReport.of(HttpJson.object(request, "the evaluation body")));
        if (!t.result().complete(new EvaluateResult(t.siteId(), report.sampleCount(),
                new Metrics(report.metrics())))) {
            throw new HttpError(409, t.describe() + " has ended (stale)");
        }
        HttpJson.json(response, callback, 200, new JsonObject());
    }

    private void failure(Request request, Response response, Callback callback, SiteConnection c, SiteTask t) {
        FailureReport report = read(() -> FailureReport.of(HttpJson.object(request, "the failure body")));
        t.result().completeExceptionally(new IllegalStateException("site '" + c.siteId() + "' reported: "
                + report.message()));
        c.forget(t);
        HttpJson.json(response, callback, 200, new JsonObject());
    }

    private static <T> T read(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (ProtocolException e) {
            throw new HttpError(e.invalidValue() ? 422 : 400, e.getMessage());
        }
    }
}
