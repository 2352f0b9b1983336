package org.fedfms.site.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.security.PinnedTrust;
import org.fedfms.privacy.ClientDpMechanism;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.DeltaTransfer;
import org.fedfms.wire.protocol.EvaluationReport;
import org.fedfms.wire.protocol.FailureReport;
import org.fedfms.wire.protocol.JoinRequest;
import org.fedfms.wire.protocol.StrictJson;
import org.fedfms.wire.protocol.TaskMessage;


/**
 * A site agent: joins its coordinator, long-polls for tasks, trains and evaluates on the local dataset with
 * the local trainer, uploads its updates, and retries with back-off (joining again) when the coordinator
 * is away. Logs what it sends (sizes), never data. One trainer per experiment, kept across rounds.
 */
public final class SiteAgent implements AutoCloseable {

    /** The local services the agent trains with. */
    public interface LocalServices {
        DatasetLoader loader(String id);

        SiteTrainerFactory trainerFactory(String id);
    }

    /** Told of each task as it arrives (before it is worked on). */
    @FunctionalInterface
    public interface TaskObserver {
        void taskReceived(String kind, String experiment, int round);
    }

    private static final System.Logger LOG = System.getLogger(SiteAgent.class.getName());
    private static final int MAX_RETRY_AFTER_ATTEMPTS = 1000;
    private static final int UPLOAD_ATTEMPTS = 3;
    private static final long MAX_RETRY_AFTER_MILLIS = 300_000;

    private final SiteAgentConfig config;
    private final LocalServices services;
    private final TaskObserver observer;
    private final HttpClient http;
    private final StartingStates startingStates;
    private final SiteCoding coding;
    private final ProgressReporter progress;
    private final Map<String, SiteTrainer> trainers = new LinkedHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile boolean joined;
    private volatile long uploads;
    private volatile long retryAfterWaits;
    private Thread thread;
    private SiteData data;

    public SiteAgent(SiteAgentConfig config, LocalServices services, TaskObserver observer) throws Exception {
        this.config = config;
        this.services = services;
        this.observer = observer == null ? (k, e, r) -> { } : observer;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if ("https".equals(config.coordinator().getScheme())) {
            javax.net.ssl.KeyManager[] keys = config.keystore() == null ? null
                    : PinnedTrust.keystore(config.keystore(), config.keystorePassword(), config.keystoreType());
            SSLContext ssl = config.fingerprint() != null ? PinnedTrust.fingerprint(config.fingerprint(), keys)
                    : PinnedTrust.truststore(config.truststore(), config.truststorePassword(), keys);
            b.sslContext(ssl);
        }
        this.http = b.build();
        this.startingStates = new StartingStates(StartingStates.defaultDirectory(config.siteId()), config.siteId());
        this.coding = new SiteCoding(SiteCoding.defaultDirectory(config.siteId()), config.siteId());
        this.progress = new ProgressReporter(http, (task, body) -> post("tasks/" + task + "/progress", body).build());
    }

    /** Starts the agent's thread. */
    public synchronized void start() {
        if (running.getAndSet(true)) {
            return;
        }
        thread = new Thread(this::loop, "fedfms-site-agent-" + config.siteId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the agent is joined to the coordinator now. */
    public boolean joined() {
        return joined;
    }

    /** Updates uploaded and accepted so far. */
    public long uploads() {
        return uploads;
    }

    /** Requests sent again after a 429 or 503 answer with Retry-After, having waited as it said. */
    public long retryAfterWaits() {
        return retryAfterWaits;
    }

    /** Leaves the coordinator and stops. */
    @Override
    public void close() {
        boolean wasRunning = running.getAndSet(false);
        stopThread();
        if (wasRunning && joined && !killed.get()) {
            try {
                send(post("leave", "{}"));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "leaving failed: " + e.getMessage());
            }
        }
        joined = false;
        synchronized (trainers) {
            trainers.values().forEach(SiteTrainer::close);
            trainers.clear();
        }
    }

    /** Stops at once without a word to the coordinator, as a crashed site would. */
    public void kill() {
        killed.set(true);
        running.set(false);
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void stopThread() {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        long backoff = config.retryInitialMillis();
        while (running.get()) {
            try {
                if (!joined) {
                    join();
                }
                HttpResponse<String> r = send(HttpRequest.newBuilder(site("task?wait=" + config.pollSeconds()))
                        .timeout(Duration.ofSeconds(config.pollSeconds() + 30L)).GET());
                backoff = config.retryInitialMillis();
                if (r.statusCode() == 204) {
                    continue;
                }
                if (r.statusCode() == 409) {
                    joined = false;
                    continue;
                }
                requireOk(r, "fetching a task");
                TaskMessage task = TaskMessage.of(StrictJson.object(r.body(), "the task"));
                observer.taskReceived(task.kind(), task.experiment(), task.round());
                if (!running.get()) {
                    return;
                }
                work(task);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                joined = false;
                LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": " + describe(e) + "; retrying in "
                        + backoff + " ms");
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException x) {
                    return;
                }
                backoff = Math.min(config.retryMaxMillis(), backoff * 2);
            }
        }
    }

    private void join() throws IOException, InterruptedException {
        SiteData site = data();
        JoinRequest body = new JoinRequest(site.train().size(), site.validation().size(), site.test().size());
        requireOk(send(post("join", body.toJson().toString())), "joining");
        joined = true;
        LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + " joined " + config.coordinator());
    }

    private SiteData data() {
        if (data == null) {
            DatasetLoader loader = services.loader(config.dataset());
            if (loader == null) {
                throw new IllegalStateException("dataset loader '" + config.dataset() + "' is not present");
            }
            try {
                FederatedDataset ds = loader.load(config.datasetSettings());
                data = ds.site(config.datasetSite()).orElseThrow(() -> new IllegalStateException("dataset '"
                        + config.dataset() + "' has no site '" + config.datasetSite() + "' (sites: "
                        + ds.sites().stream().map(SiteData::siteId).toList() + ")"));
            } catch (org.fedfms.api.data.DatasetException e) {
                throw new IllegalStateException("dataset '" + config.dataset() + "' cannot be loaded: "
                        + e.getMessage(), e);
            }
        }
        return data;
    }

    private void work(TaskMessage task) throws IOException, InterruptedException {
        String taskId = task.taskId();
        String kind = task.kind();
        int round = task.round();
        String experiment = task.experiment();
        try {
            SiteTrainer trainer = trainer(task);
            TrainingMonitor monitor = new TaskMonitor(round, running::get, p -> progress.send(taskId, p));
            switch (kind) {
                case "INITIAL" -> upload(task, WireMessage.update(experiment, 0, config.siteId(), 0, Metrics.empty(),
                        trainer.initialParameters()), null);
                case "FIT" -> {
                    ParameterSet global = parameters(task);
                    FitInstructions instructions = new FitInstructions(task.instructions());
                    FitResult r = ClientDpMechanism.apply(ExperimentStates.fit(config.siteId(), experiment,
                            task.trainerSpec(), trainer, round, global, instructions, monitor), global, instructions);
                    if (!running.get()) {
                        return;
                    }
                    SiteCoding.Upload coded = coding.upload(task, r.parameters());
                    upload(task, WireMessage.update(experiment, round, config.siteId(), r.sampleCount(),
                            r.metrics() == null ? Metrics.empty() : r.metrics(), coded.parameters()), coded);
                }
                case "EVALUATE" -> {
                    ParameterSet global = parameters(task);
                    EvaluateResult r = ExperimentStates.evaluate(config.siteId(), experiment, task.trainerSpec(),
                            trainer, round, global, DataSplit.valueOf(task.split()), monitor);
                    if (!running.get()) {
                        return;
                    }
                    EvaluationReport body = new EvaluationReport(r.sampleCount(), r.metrics().values());
                    requireOk(send(post("tasks/" + taskId + "/evaluation", body.toJson().toString())),
                            "sending an evaluation");
                    LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": sent the evaluation of round "
                            + round + " (" + r.sampleCount() + " samples, metrics " + r.metrics().values().keySet()
                            + ")");
                }
                default -> throw new IllegalStateException("unknown task kind '" + kind + "'");
            }
        } catch (IOException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (!running.get()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": " + kind + " task of round " + round
                    + " failed: " + describe(e));
            send(post("tasks/" + taskId + "/failure", new FailureReport(describe(e)).toJson().toString()));
        }
    }

    private SiteTrainer trainer(TaskMessage task) throws Exception {
        synchronized (trainers) {
            SiteTrainer t = trainers.get(task.experiment());
            if (t == null) {
                SiteTrainerFactory factory = services.trainerFactory(task.trainer());
                if (factory == null) {
                    throw new IllegalStateException("trainer factory '" + task.trainer() + "' of experiment '"
                            + task.experiment() + "' is not present at site " + config.siteId());
                }
                TrainerSpec ts = StartingStates.refusePaths(task.trainerSpec(), task.experiment(), config.siteId());
                if (!task.startingState().isEmpty()) {
                    ts = startingStates.withStartingState(ts, task.experiment(), task.startingState(),
                            () -> download(task.taskId(), "starting-state", "", null));
                }
                t = factory.create(ts, data());
                trainers.put(task.experiment(), t);
            }
            return t;
        }
    }

    /** The task's parameters as the site uses them: a delta the coordinator sent is added to the global held. */
    private ParameterSet parameters(TaskMessage task) throws IOException, InterruptedException {
        String[] base = new String[1];
        ParameterSet p = download(task.taskId(), "parameters", coding.parametersQuery(task), base);
        return coding.received(task, p, base[0]);
    }

    private ParameterSet download(String taskId, String what, String query, String[] base)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> r = exchange(authorized(site("tasks/" + taskId + "/" + what + query)).GET(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("downloading the " + what + " of task " + taskId + " failed: HTTP "
                        + r.statusCode() + " " + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
            long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (base != null) {
                base[0] = r.headers().firstValue(DeltaTransfer.BASE_HEADER).map(v -> DeltaTransfer.digest(v,
                        "the coordinator's " + DeltaTransfer.BASE_HEADER + " header")).orElse(null);
            }
            HeaderCheck check = length >= 0 ? HeaderCheck.messageBytes(length) : HeaderCheck.NONE;
            WireMessage m = WireDecoder.withDefaults().decode(in, check);
            String received = "parameters".equals(what) ? "global parameters" : "the " + what;
            LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": received " + received + " of round "
                    + m.round() + " (" + length + " bytes, " + m.parameters().parameterCount() + " parameters)");
            return m.parameters();
        }
    }

    private void upload(TaskMessage task, WireMessage message, SiteCoding.Upload coded)
            throws IOException, InterruptedException {
        String taskId = task.taskId();
        progress.settle();
        WireEncoder encoder = coded == null ? WireEncoder.fp32() : WireEncoder.coded(coded.coding());
        long size = encoder.encodedSize(message);
        HttpResponse<String> r;
        for (int attempt = 1;; attempt++) {
            HttpRequest.Builder b = authorized(site("tasks/" + taskId + "/update"));
            if (coded != null && coded.base() != null) {
                b.header(DeltaTransfer.BASE_HEADER, coded.base());
            }
            r = send(b.header("Content-Type", "application/octet-stream")
                    .POST(EncodingBody.publisher(encoder, message)));
            // 408 (the link was too slow) and 503 are transient: the update is sent again
            if ((r.statusCode() != 408 && r.statusCode() != 503) || attempt >= UPLOAD_ATTEMPTS || !running.get()) {
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
                send(post("tasks/" + taskId + "/failure", new FailureReport(why).toJson().toString()));
            }
            return;
        }
        requireOk(r, "uploading an update");
        if (coded != null) {
            coding.accepted(task, coded);
        }
        uploads++;
        LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": sent the update of round " + message.round()
                + " (" + size + " bytes, " + message.parameters().parameterCount() + " parameters, "
                + message.sampleCount() + " samples)");
    }

    // ---------------------------------------------------------------- HTTP helpers

    private URI site(String rest) {
        return config.coordinator().resolve("api/v1/sites/" + config.siteId() + "/" + rest);
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + config.token())
                .timeout(Duration.ofMinutes(10));
    }

    private HttpRequest.Builder post(String rest, String json) {
        return authorized(site(rest)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
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
    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest built = request.setHeader("Authorization", "Bearer " + config.token()).build();
        for (int attempt = 1;; attempt++) {
            HttpResponse<T> r = http.send(built, handler);
            long wait = RetryAfter.millis(r, MAX_RETRY_AFTER_MILLIS);
            if (wait < 0 || attempt >= MAX_RETRY_AFTER_ATTEMPTS || !running.get()) {
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

    private static void requireOk(HttpResponse<String> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "the coordinator cannot be reached (" + e + ")";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
