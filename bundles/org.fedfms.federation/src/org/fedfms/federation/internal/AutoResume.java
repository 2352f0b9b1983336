package org.fedfms.federation.internal;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationException;

/**
 * Background runs that the process or the service stopping interrupted, going on by themselves: a restored
 * experiment whose directory records an unfinished run waits, paused, until what its round needs is present,
 * checked when such a service binds and every second; then its run goes on to the round it was going to.
 */
final class AutoResume {

    private static final System.Logger LOG = System.getLogger(AutoResume.class.getName());
    private static final long CHECK_MILLIS = 1_000;

    private final boolean enabled;
    private final ExperimentCatalogue catalogue;
    private final ServiceDirectory services;
    private final RunControl runs;
    private volatile ScheduledExecutorService checker;

    AutoResume(boolean enabled, ExperimentCatalogue catalogue, ServiceDirectory services, RunControl runs) {
        this.enabled = enabled;
        this.catalogue = catalogue;
        this.services = services;
        this.runs = runs;
    }

    /** Configuration first, then the framework or system property; true unless one says {@code false}. */
    static boolean enabled(Map<String, Object> properties, UnaryOperator<String> env) {
        Object configured = properties.get(FederationServiceImpl.AUTO_RESUME);
        String value = configured != null ? configured.toString()
                : env.apply(FederationServiceImpl.AUTO_RESUME_PROPERTY);
        if (value == null) {
            value = System.getProperty(FederationServiceImpl.AUTO_RESUME_PROPERTY);
        }
        return value == null || value.isBlank() || !value.trim().equalsIgnoreCase("false");
    }

    /** Starts the checks every second, if enabled. */
    void start() {
        if (enabled) {
            ScheduledExecutorService c = Executors.newSingleThreadScheduledExecutor(
                    FederationServiceImpl.daemon("fedfms-autoresume-"));
            c.scheduleWithFixedDelay(this::resumeReady, 0, CHECK_MILLIS, TimeUnit.MILLISECONDS);
            checker = c;
        }
    }

    /** Stops the checks and waits for one in progress. */
    void stop() {
        ScheduledExecutorService c = checker;
        checker = null;
        if (c == null) {
            return;
        }
        c.shutdownNow();
        try {
            if (!c.awaitTermination(RunControl.STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the check of interrupted runs did not stop in time");
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks a restored experiment whose directory records an unfinished background run to go on by itself. */
    void continueInterruptedRun(Experiment e) {
        OptionalInt until;
        try {
            until = RunIntent.read(e.directory);
        } catch (IOException x) {
            LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + ": " + x.getMessage() + "; the file is "
                    + "removed and the experiment does not go on by itself");
            RunIntent.deleteLogged(e);
            return;
        }
        if (until.isEmpty()) {
            return;
        }
        String owner = e.runLock.heldElsewhere();
        if (owner != null) {
            LOG.log(System.Logger.Level.INFO, "experiment " + e.name + ": " + Experiment.runningElsewhere(owner));
            return;
        }
        Experiment.Progress p = e.progress();
        if (until.getAsInt() <= p.completedRounds() || p.state() == State.FAILED) {
            RunIntent.deleteLogged(e);
            return;
        }
        if (!enabled) {
            return;
        }
        e.markAutoResume(until.getAsInt());
        LOG.log(System.Logger.Level.INFO, "experiment " + e.name + ": " + e.status().message());
    }

    /** Asks for a check of the waiting experiments soon, off the caller's thread; never throws. */
    void checkSoon() {
        ScheduledExecutorService c = checker;
        if (c != null) {
            try {
                c.execute(this::resumeReady);
            } catch (RejectedExecutionException stopped) {
                // the service is stopping
            }
        }
    }

    /** Starts the waiting experiments whose round could start now; says what the others wait for. */
    private void resumeReady() {
        try {
            for (Experiment e : catalogue.all()) {
                if (runs.stopping()) {
                    return;
                }
                if (e.autoResumeUntil() > 0) {
                    String missing = services.missingForRound(e.progress().spec());
                    if (missing == null) {
                        resumeByItself(e);
                    } else {
                        e.waitingFor(missing);
                    }
                }
            }
        } catch (RuntimeException x) {
            LOG.log(System.Logger.Level.WARNING, "checking the experiments waiting to go on failed", x);
        }
    }

    private void resumeByItself(Experiment e) {
        String owner = e.runLock.acquire();
        if (owner != null) {
            e.clearAutoResume();
            LOG.log(System.Logger.Level.INFO, "experiment " + e.name + ": " + Experiment.runningElsewhere(owner));
            return;
        }
        CompletableFuture<ExperimentStatus> future = new CompletableFuture<>();
        int until = e.activateMarked(future);
        if (until == 0) {
            e.runLock.release();
            return;
        }
        int completed = e.progress().completedRounds();
        LOG.log(System.Logger.Level.INFO, "experiment " + e.name + " resumes by itself from round " + (completed + 1)
                + " (its run to round " + until + " was interrupted)");
        try {
            runs.launch(e, until - completed, future);
        } catch (FederationException x) {
            LOG.log(System.Logger.Level.WARNING, x.getMessage());
        }
    }
}
