package org.fedfms.site.internal;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

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
import org.fedfms.privacy.ClientDpMechanism;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.EvaluationReport;
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

    private final SiteAgentConfig config;
    private final LocalServices services;
    private final TaskObserver observer;
    private final CoordinatorClient client;
    private final StartingStates startingStates;
    private final SiteCoding coding;
    private final ProgressReporter progress;
    private final SecureTasks secure;
    private final Map<String, SiteTrainer> trainers = new LinkedHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile boolean joined;
    private volatile long uploads;
    private Thread thread;
    private SiteData data;

    public SiteAgent(SiteAgentConfig config, LocalServices services, TaskObserver observer) throws Exception {
        this.config = config;
        this.services = services;
        this.observer = observer == null ? (k, e, r) -> { } : observer;
        this.client = new CoordinatorClient(config, running::get);
        this.startingStates = new StartingStates(StartingStates.defaultDirectory(config.siteId()), config.siteId());
        this.coding = new SiteCoding(SiteCoding.defaultDirectory(config.siteId()), config.siteId());
        this.secure = new SecureTasks(config.siteId(), client);
        this.progress = new ProgressReporter(client.http(),
                (task, body) -> client.post("tasks/" + task + "/progress", body).build());
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
        return client.retryAfterWaits();
    }

    /** Leaves the coordinator and stops. */
    @Override
    public void close() {
        boolean wasRunning = running.getAndSet(false);
        stopThread();
        if (wasRunning && joined && !killed.get()) {
            try {
                client.send(client.post("leave", "{}"));
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
                HttpResponse<String> r = client.send(HttpRequest
                        .newBuilder(client.site("task?wait=" + config.pollSeconds()))
                        .timeout(Duration.ofSeconds(config.pollSeconds() + 30L)).GET());
                backoff = config.retryInitialMillis();
                if (r.statusCode() == 204) {
                    continue;
                }
                if (r.statusCode() == 409) {
                    joined = false;
                    continue;
                }
                CoordinatorClient.requireOk(r, "fetching a task");
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
                LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": " + CoordinatorClient.describe(e) + "; retrying in "
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
        client.postOk("join", body.toJson().toString(), "joining");
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
                            task.trainerSpec(), trainer, round, global, instructions, monitor, task.localParameters()),
                            global, instructions);
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
                            trainer, round, global, DataSplit.valueOf(task.split()), monitor, task.localParameters());
                    if (!running.get()) {
                        return;
                    }
                    EvaluationReport body = new EvaluationReport(r.sampleCount(), r.metrics().values());
                    client.postOk("tasks/" + taskId + "/evaluation", body.toJson().toString(),
                            "sending an evaluation");
                    LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": sent the evaluation of round "
                            + round + " (" + r.sampleCount() + " samples, metrics " + r.metrics().values().keySet()
                            + ")");
                }
                case "SECAGG_KEYS", "SECAGG_SHARES", "SECAGG_FIT", "SECAGG_REVEAL" -> secure.run(task,
                        () -> parameters(task), (global, fi) -> ClientDpMechanism.apply(ExperimentStates.fit(
                                config.siteId(), experiment, task.trainerSpec(), trainer, round, global, fi, monitor,
                                task.localParameters()),
                                global, fi), running::get);
                default -> throw new IllegalStateException("unknown task kind '" + kind + "'");
            }
        } catch (IOException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (!running.get()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "site " + config.siteId() + ": " + kind + " task of round " + round
                    + " failed: " + CoordinatorClient.describe(e));
            client.fail(taskId, CoordinatorClient.describe(e));
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
                            () -> client.download(task.taskId(), "starting-state", "").parameters());
                }
                t = factory.create(ts, data());
                trainers.put(task.experiment(), t);
            }
            return t;
        }
    }

    /** The task's parameters as the site uses them: a delta the coordinator sent is added to the global held. */
    private ParameterSet parameters(TaskMessage task) throws IOException, InterruptedException {
        CoordinatorClient.Download d = client.download(task.taskId(), "parameters", coding.parametersQuery(task));
        return coding.received(task, d.parameters(), d.base());
    }

    private void upload(TaskMessage task, WireMessage message, SiteCoding.Upload coded)
            throws IOException, InterruptedException {
        progress.settle();
        WireEncoder encoder = coded == null ? WireEncoder.fp32() : WireEncoder.coded(coded.coding());
        long size = encoder.encodedSize(message);
        if (!client.upload(task.taskId(), message, encoder, coded == null ? null : coded.base())) {
            return;
        }
        if (coded != null) {
            coding.accepted(task, coded);
        }
        uploads++;
        LOG.log(System.Logger.Level.INFO, "site " + config.siteId() + ": sent the update of round " + message.round()
                + " (" + size + " bytes, " + message.parameters().parameterCount() + " parameters, "
                + message.sampleCount() + " samples)");
    }
}
