package org.fedfms.server.internal;

import java.util.List;
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
import org.fedfms.wire.protocol.ProgressReport;
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
    /** The {@link SiteInfo} property of the features a site's agent declared when it joined, comma-separated. */
    private static final String SUPPORTS = "supports";

    private final CoordinatorConfig config;
    private final Map<String, SiteConnection> connections;
    private final CallerAuthentication authentication;
    private final SiteRateLimiter rateLimiter;
    private final CoordinatorMetrics metrics;
    private final ParameterTransfers transfers;
    private final StartingStates startingStates = new StartingStates(org.fedfms.wire.WireLimits.defaults());
    private final SecureSiteTasks secureTasks;

    SiteApi(CoordinatorConfig config, Map<String, SiteConnection> connections, CallerAuthentication authentication,
            CoordinatorMetrics metrics, ParameterTransfers transfers) {
        this.config = config;
        this.connections = connections;
        this.authentication = authentication;
        this.metrics = metrics;
        this.transfers = transfers;
        this.secureTasks = new SecureSiteTasks(config.limits());
        this.rateLimiter = new SiteRateLimiter(config.requestsPerSecond(), config.requestBurst(), System::nanoTime);
    }

    /** Lets go of the experiment's starting state (its run ended; a later task reads it again). */
    void forgetStartingState(String experiment) {
        startingStates.forget(experiment);
    }

    /** How many experiments' starting states the coordinator holds in memory. */
    int startingStatesHeld() {
        return startingStates.held();
    }

    SiteRateLimiter rateLimiter() {
        return rateLimiter;
    }

    void serve(Request request, Response response, Callback callback, String method, String[] parts)
            throws InterruptedException {
        String siteId = parts[0];
        authentication.requireSite(request, siteId);
        SiteConnection c = connections.get(siteId);
        c.heardFrom();
        int cap = config.limits().siteConcurrentRequests();
        if (!c.enter(cap)) {
            metrics.rateLimited.increment();
            response.getHeaders().put(HttpHeader.RETRY_AFTER, 1);
            throw new HttpError(429, "site '" + siteId + "' has " + cap + " requests in progress already "
                    + "(limits.siteConcurrentRequests); retry after 1 s");
        }
        boolean later = false;
        try {
            later = !serve(request, response, callback, method, parts, c);
        } finally {
            if (!later) {
                c.exit();
            }
        }
    }

    /**
     * Serves a site request; {@code false} if the answer comes later (a long-poll, which counts itself out when
     * answered). A refusal is thrown before any answer is promised.
     */
    private boolean serve(Request request, Response response, Callback callback, String method, String[] parts,
            SiteConnection c) throws InterruptedException {
        String siteId = c.siteId();
        // The update of a task the site holds is not limited: there is one per task, and refusing a large body
        // before reading it closes the connection mid-upload, which would cost the site its round.
        boolean heldUpdate = method.equals("POST") && parts.length == 4 && parts[1].equals("tasks")
                && (parts[3].equals("update") || parts[3].equals("secagg")) && c.delivered(parts[2]) != null;
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
            return true;
        }
        if (method.equals("POST") && action.equals("leave") && parts.length == 2) {
            c.leave("left");
            HttpJson.json(response, callback, 200, new JsonObject());
            return true;
        }
        if (!c.joined()) {
            throw new HttpError(409, "site '" + siteId + "' has not joined: POST /api/v1/sites/" + siteId
                    + "/join first");
        }
        if (method.equals("GET") && action.equals("task") && parts.length == 2) {
            poll(request, response, callback, c);
            return false;
        }
        if (action.equals("tasks") && parts.length == 4) {
            String taskId = parts[2];
            SiteTask t = c.delivered(taskId);
            if (t == null) {
                throw new HttpError(409, "task " + LogText.of(taskId) + " of site '" + siteId + "' is not open (stale:"
                        + " its round ended, it timed out or was cancelled); fetch the next task");
            }
            switch (method + " " + parts[3]) {
                case "GET parameters" -> transfers.download(request, response, callback, t);
                case "GET starting-state" -> startingState(response, callback, t);
                case "POST update" -> transfers.upload(request, response, callback, c, SecureSiteTasks.plain(t));
                case "POST evaluation" -> evaluation(request, response, callback, t);
                case "POST failure" -> failure(request, response, callback, c, t);
                case "POST progress" -> progress(request, response, callback, c, t);
                case "POST secagg" -> secureTasks.answer(request, response, callback, c, t);
                default -> throw new HttpError(404, "no such resource: " + method + " .../tasks/" + LogText.of(taskId)
                        + "/" + LogText.of(parts[3]));
            }
            return true;
        }
        throw new HttpError(404, "no such site resource: " + method + " /api/v1/sites/"
                + LogText.of(String.join("/", parts)));
    }

    private void join(Request request, Response response, Callback callback, SiteConnection c) {
        JoinRequest join = read(() -> JoinRequest.of(HttpJson.object(request, "the join body")));
        SiteInfo info = new SiteInfo(c.siteId(), join.trainSamples(), join.validationSamples(), join.testSamples(),
                Map.of(SUPPORTS, String.join(",", join.supports())));
        c.join(info);
        LOG.log(System.Logger.Level.INFO, "site " + c.siteId() + " joined (" + info.trainSamples()
                + " training samples)");
        HttpJson.json(response, callback, 200, new JoinAnswer(c.siteId(), config.maxPollSeconds()).toJson());
    }

    /**
     * A long-poll: answered at once when a task is queued, else when one comes or the wait ends; no thread waits
     * meanwhile. Counts the request out when it is answered.
     */
    private void poll(Request request, Response response, Callback callback, SiteConnection c) {
        String wait = Request.extractQueryParameters(request).getValue("wait");
        int seconds = Math.min(config.maxPollSeconds(), wait == null ? config.maxPollSeconds()
                : HttpJson.seconds(wait, "wait"));
        c.poll(Math.max(0, seconds) * 1000L, request.getComponents().getScheduler()).whenComplete((t, failure) -> {
            try {
                TaskMessage m = t == null ? null : messageOrFail(t);
                String missing = m == null ? null : missingFeature(c, t, m);
                if (missing != null) {
                    HttpJson.error(request, response, callback, 409, missing);
                } else if (m == null) {
                    response.setStatus(204);
                    callback.succeeded();
                } else {
                    HttpJson.json(response, callback, 200, m.toJson());
                }
            } catch (RuntimeException e) {
                callback.failed(e);
            } finally {
                c.exit();
            }
        });
    }

    /**
     * The task as the site reads it: the trainer spec without a weights path, and the digest of the experiment's
     * starting state; {@code null} when that state cannot be read here (the task then fails, naming why).
     */
    private TaskMessage messageOrFail(SiteTask t) {
        String startingState;
        try {
            startingState = startingStates.digest(t.spec());
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            t.result().completeExceptionally(e);
            return null;
        }
        return new TaskMessage(t.id(), t.kind().name(), t.experiment(), t.round(), t.spec().trainer(),
                StartingStates.forSites(t.spec()), t.instructions().values(), t.split() == null ? null
                        : t.split().name(), t.parameters() != null, startingState, t.spec().sharing().encoding(),
                t.spec().sharing().localParameters());
    }

    /**
     * Why the site cannot take task {@code m} (its agent did not declare a feature the task needs; the task then
     * fails with that reason), or {@code null} when it can.
     */
    private static String missingFeature(SiteConnection c, SiteTask t, TaskMessage m) {
        List<String> supports = List.of(c.info().properties().getOrDefault(SUPPORTS, "").split(","));
        String why;
        if (!m.startingState().isEmpty() && !supports.contains(JoinRequest.STARTING_STATE)) {
            why = "site '" + c.siteId() + "' cannot take " + t.describe() + ": experiment '" + t.experiment()
                    + "' starts from a starting state (its initial weights), and the site's agent did not declare "
                    + "\"supports\": [\"" + JoinRequest.STARTING_STATE + "\"] when it joined (an agent from before "
                    + "starting states would train from random weights); upgrade the site agent and join again";
        } else if (!m.transferEncoding().equals(org.fedfms.wire.TransferEncoding.FP32)
                && !supports.contains(JoinRequest.ENCODING)) {
            why = "site '" + c.siteId() + "' cannot take " + t.describe() + ": experiment '" + t.experiment()
                    + "' codes its transfers as encoding '" + m.encoding() + "', and the site's agent did not declare "
                    + "\"supports\": [\"" + JoinRequest.ENCODING + "\"] when it joined (an agent from before "
                    + "encodings sends fp32 and cannot read coded deltas); upgrade the site agent and join again";
        } else if (m.instructions().containsKey(org.fedfms.privacy.ClientDp.INSTRUCTION)
                && !supports.contains(JoinRequest.CLIENT_DP)) {
            why = "site '" + c.siteId() + "' cannot take " + t.describe() + ": experiment '" + t.experiment()
                    + "' asks each site to clip and noise its update (clientDp), and the site's agent did not declare "
                    + "\"supports\": [\"" + JoinRequest.CLIENT_DP + "\"] when it joined (an agent from before "
                    + "client-side DP would send its update in the clear); upgrade the site agent and join again";
        } else if (SecureSiteTasks.secure(t.kind()) && !supports.contains(JoinRequest.SECURE_AGGREGATION)) {
            why = "site '" + c.siteId() + "' cannot take " + t.describe() + ": experiment '" + t.experiment()
                    + "' aggregates securely (secureAggregation), and the site's agent did not declare \"supports\": "
                    + "[\"" + JoinRequest.SECURE_AGGREGATION + "\"] when it joined (an agent from before secure "
                    + "aggregation would send its update in the clear); upgrade the site agent and join again";
        } else if (!m.localParameters().isEmpty() && !supports.contains(JoinRequest.LOCAL_PARAMETERS)) {
            why = "site '" + c.siteId() + "' cannot take " + t.describe() + ": experiment '" + t.experiment()
                    + "' keeps parameters '" + m.localParameters() + "' at each site (localParameters), and the "
                    + "site's agent did not declare \"supports\": [\"" + JoinRequest.LOCAL_PARAMETERS + "\"] when it "
                    + "joined (an agent from before cannot complete the shared tensors it receives with its own); "
                    + "upgrade the site agent and join again";
        } else {
            return null;
        }
        LOG.log(System.Logger.Level.WARNING, why);
        t.result().completeExceptionally(new IllegalStateException(why));
        c.forget(t);
        return why;
    }

    /** The experiment's starting state (every tensor of its weights file) as one wire message. */
    private void startingState(Response response, Callback callback, SiteTask t) {
        StartingStates.State state;
        try {
            state = startingStates.of(t.spec());
        } catch (IllegalStateException e) {
            throw new HttpError(500, e.getMessage());
        }
        if (state == null) {
            throw new HttpError(404, "experiment '" + t.experiment() + "' starts from random initialisation: it has "
                    + "no starting state to download");
        }
        transfers.send(response, callback, startingStates.encoded(t.experiment(), state));
    }

    private void evaluation(Request request, Response response, Callback callback, SiteTask t) {
        if (t.kind() != SiteTask.Kind.EVALUATE) {
            throw new HttpError(409, t.describe() + " asks for parameters: POST .../update, not an evaluation");
        }
        EvaluationReport report = read(() -> EvaluationReport.of(HttpJson.object(request, "the evaluation body")));
        for (String name : report.metrics().keySet()) {
            if (LogText.hasControl(name)) {
                throw new HttpError(422, "evaluation refused: metric name '" + LogText.of(name)
                        + "' holds a control character");
            }
        }
        SiteInfo declared = connections.get(t.siteId()).info();
        long most = t.split() == null ? declared.trainSamples() + declared.validationSamples()
                + declared.testSamples() : switch (t.split()) {
                    case TRAIN -> declared.trainSamples();
                    case VALIDATION -> declared.validationSamples();
                    case TEST -> declared.testSamples();
                };
        if (report.sampleCount() > most) {
            String why = "evaluation refused: site '" + t.siteId() + "' reports " + report.sampleCount()
                    + " samples but declared " + most + " in its " + (t.split() == null ? "data" : t.split().name()
                            .toLowerCase(java.util.Locale.ROOT) + " split") + " when it joined; " + t.describe()
                    + " fails";
            t.result().completeExceptionally(new IllegalStateException(why));
            connections.get(t.siteId()).forget(t);
            throw new HttpError(422, why);
        }
        if (!t.result().complete(new EvaluateResult(t.siteId(), report.sampleCount(),
                new Metrics(report.metrics())))) {
            throw new HttpError(409, t.describe() + " has ended (stale)");
        }
        HttpJson.json(response, callback, 200, new JsonObject());
    }

    /** A site's progress inside its task, relayed to the round (at most one a second per site). */
    private void progress(Request request, Response response, Callback callback, SiteConnection c, SiteTask t) {
        ProgressReport report = read(() -> ProgressReport.of(HttpJson.object(request, "the progress body")));
        if (!c.progress(t, report)) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, 1);
            throw new HttpError(429, "site '" + c.siteId() + "' reports progress more often than once every "
                    + ProgressReport.MIN_INTERVAL_MILLIS + " ms; this report is dropped");
        }
        HttpJson.json(response, callback, 200, new JsonObject());
    }

    private void failure(Request request, Response response, Callback callback, SiteConnection c, SiteTask t) {
        FailureReport report = read(() -> FailureReport.of(HttpJson.object(request, "the failure body")));
        t.result().completeExceptionally(new IllegalStateException("site '" + c.siteId() + "' reported: "
                + LogText.of(report.message(), config.limits().maxStoredMessageChars())));
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
