package org.fedfms.federation.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;

/**
 * Runs experiments: rounds now in the caller's thread or in the background, pause, cancel and strategy
 * swaps, with the experiment's state and the events each implies. Every round runs under the experiment's
 * round lock.
 */
final class RunControl {

    private static final System.Logger LOG = System.getLogger(RunControl.class.getName());
    static final long STOP_WAIT_MILLIS = 15_000;

    private final ExperimentCatalogue catalogue;
    private final ServiceDirectory services;
    private final RoundLoop loop;
    private final boolean autoResume;
    private final ExecutorService runExecutor = Executors.newCachedThreadPool(
            FederationServiceImpl.daemon("fedfms-experiment-"));
    private volatile boolean stopping;

    RunControl(ExperimentCatalogue catalogue, ServiceDirectory services, boolean autoResume) {
        this.catalogue = catalogue;
        this.services = services;
        this.loop = new RoundLoop(services);
        this.autoResume = autoResume;
    }

    /** Whether the service is stopping. */
    boolean stopping() {
        return stopping;
    }

    /** From now on, runs that stop are paused by the service stopping (and go on by themselves later). */
    void beginStopping() {
        stopping = true;
    }

    /** Asks every run to stop after its round, waits for them a while, then stops the run threads. */
    void stopAll() {
        stopping = true;
        for (Experiment e : catalogue.all()) {
            e.cancelRequested = true;
            e.pauseRequested = true;
        }
        long end = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        for (Experiment e : catalogue.all()) {
            CompletableFuture<ExperimentStatus> run = e.run();
            if (run != null) {
                try {
                    run.get(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException | TimeoutException x) {
                    LOG.log(System.Logger.Level.WARNING, "experiment " + e.name + " did not stop in time", x);
                }
            }
        }
        runExecutor.shutdownNow();
    }

    /** The global parameters, read or built without running a round if there are none yet. */
    ParameterSet globalParameters(Experiment e) {
        ParameterSet g = e.global;
        if (g != null) {
            return g;
        }
        prepare(e);
        return e.global;
    }

    /** The sites' own models of a local-only experiment, else none. */
    Map<String, ParameterSet> localParameters(Experiment e) {
        if (e.progress().spec().protocol() != ExperimentSpec.Protocol.LOCAL_ONLY) {
            return Map.of();
        }
        if (e.global == null) {
            prepare(e);
        }
        return e.localModels;
    }

    private void prepare(Experiment e) {
        e.roundLock.lock();
        try {
            loop.prepare(e);
        } catch (RoundAbort a) {
            throw new FederationException(a.getMessage(), a.getCause());
        } finally {
            e.roundLock.unlock();
        }
    }

    RoundResult runRound(Experiment e) {
        own(e);
        if (!e.activate(null)) {
            e.runLock.release();
            throw busy(e);
        }
        takeOver(e);
        try {
            return executeRound(e);
        } finally {
            finishActivity(e);
        }
    }

    List<RoundResult> runRounds(Experiment e, int rounds) {
        own(e);
        if (!e.activate(null)) {
            e.runLock.release();
            throw busy(e);
        }
        takeOver(e);
        List<RoundResult> results = new ArrayList<>();
        try {
            for (int i = 0; i < rounds; i++) {
                if (stopRequested(e)) {
                    break;
                }
                results.add(executeRound(e));
                if (e.progress().state() != State.RUNNING) {
                    break;
                }
            }
            return results;
        } finally {
            finishActivity(e);
        }
    }

    /** Rounds run one by one by a caller replace an interrupted run: it no longer goes on by itself. */
    private static void takeOver(Experiment e) {
        e.clearAutoResume();
        RunIntent.deleteLogged(e);
    }

    CompletableFuture<ExperimentStatus> start(Experiment e, int rounds) {
        CompletableFuture<ExperimentStatus> future = new CompletableFuture<>();
        own(e);
        if (!e.activate(future)) {
            e.runLock.release();
            throw busy(e);
        }
        e.clearAutoResume();
        return launch(e, rounds, future);
    }

    /**
     * Runs {@code rounds} rounds of an activated experiment in the background, recording the run in its
     * directory first so that it goes on by itself if the process stops meanwhile.
     */
    CompletableFuture<ExperimentStatus> launch(Experiment e, int rounds, CompletableFuture<ExperimentStatus> future) {
        RunIntent.writeLogged(e, e.progress().completedRounds() + rounds);
        try {
            runExecutor.execute(() -> runInBackground(e, rounds, future));
        } catch (RejectedExecutionException x) {
            e.setState(State.PAUSED, "the federation service is stopping");
            e.deactivate();
            e.runLock.release();
            throw new FederationException("experiment '" + e.name + "' cannot start: the federation service is "
                    + "stopping", x);
        }
        return future;
    }

    private void runInBackground(Experiment e, int rounds, CompletableFuture<ExperimentStatus> future) {
        Thread thread = Thread.currentThread();
        String threadName = thread.getName();
        thread.setName("fedfms-experiment-" + e.name);
        try {
            for (int i = 0; i < rounds; i++) {
                if (stopRequested(e)) {
                    break;
                }
                try {
                    executeRound(e);
                } catch (FederationException x) {
                    break;
                }
                if (e.progress().state() != State.RUNNING || stoppedEarly(e)) {
                    break;
                }
            }
        } catch (RuntimeException | Error x) {
            LOG.log(System.Logger.Level.ERROR, "experiment " + e.name + " failed", x);
            String message = "experiment '" + e.name + "' stopped on an internal error: " + RoundMessages.describe(x);
            e.setState(State.FAILED, message);
            services.publish(new FederationEvent.ExperimentFailed(e.name, e.progress().completedRounds(), message));
        } finally {
            if (!stopping || e.userStopRequested) {
                RunIntent.deleteLogged(e);
            }
            finishActivity(e);
            thread.setName(threadName);
            future.complete(e.status());
        }
    }

    /** If a pause or cancel was asked for, marks the experiment paused and says so. */
    private boolean stopRequested(Experiment e) {
        if (!e.pauseRequested && !e.cancelRequested) {
            return false;
        }
        int round = e.progress().completedRounds();
        String message = stopping && !e.userStopRequested
                ? "paused after round " + round + ": the federation service is stopping" + (autoResume
                        ? "; the run goes on by itself when the service starts again" : "")
                : "paused at request after round " + round;
        paused(e, message);
        return true;
    }

    /**
     * Whether validation Dice has not improved for the spec's patience; if so the run ends here, completed,
     * saying why (the best round's checkpoint is kept).
     */
    private boolean stoppedEarly(Experiment e) {
        Experiment.Progress p = e.progress();
        int patience = p.spec().schedule().patience();
        Optional<BestRound> best = patience > 0 ? BestRound.of(p.history()) : Optional.empty();
        if (best.isEmpty() || p.completedRounds() - best.get().round() < patience) {
            return false;
        }
        String message = "stopped early after round " + p.completedRounds() + ": validation " + best.get().metric()
                + " has not improved for " + patience + " round(s) (patience " + patience + "); best " + best.get()
                        .describe() + ", its global model is kept";
        e.setState(State.COMPLETED, message);
        services.publish(new FederationEvent.ExperimentCompleted(e.name, p.completedRounds()));
        return true;
    }

    private void finishActivity(Experiment e) {
        boolean completed = e.deactivate();
        e.runLock.release();
        if (completed) {
            services.publish(new FederationEvent.ExperimentCompleted(e.name, e.progress().completedRounds()));
        }
    }

    /** Takes the experiment's run lock for this process, or fails saying who runs it elsewhere. */
    private static void own(Experiment e) {
        String owner = e.runLock.acquire();
        if (owner != null) {
            throw new FederationException("experiment '" + e.name + "' is running elsewhere: " + owner + " owns "
                    + "its run (lock " + e.runLock.file() + "); wait for it to end, or stop it there");
        }
    }

    /** One round under the round lock, with the experiment's state and the events it implies. */
    private RoundResult executeRound(Experiment e) {
        e.roundLock.lock();
        try {
            RoundResult result = loop.run(e);
            services.publish(new FederationEvent.RoundCompleted(e.name, result));
            String checkpointError = e.checkpointError;
            if (checkpointError != null) {
                paused(e, checkpointError);
            }
            return result;
        } catch (RoundAbort a) {
            String message = a.getMessage();
            if (a.kind() == RoundAbort.Kind.FAIL) {
                e.setState(State.FAILED, message);
                services.publish(new FederationEvent.ExperimentFailed(e.name, e.progress().completedRounds(), message));
            } else {
                paused(e, message);
            }
            throw new FederationException(message, a.getCause());
        } finally {
            e.roundLock.unlock();
        }
    }

    private void paused(Experiment e, String message) {
        e.setState(State.PAUSED, message);
        services.publish(new FederationEvent.ExperimentPaused(e.name, e.progress().completedRounds(), message));
    }

    private static FederationException busy(Experiment e) {
        return new FederationException("experiment '" + e.name + "' is running; pause or cancel it first, or wait");
    }

    ExperimentStatus pause(Experiment e) {
        Experiment.UserStop found = e.stopByUser(false);
        if (found == Experiment.UserStop.ACTIVE) {
            return e.status();
        }
        RunIntent.deleteLogged(e);
        Experiment.Progress p = e.progress();
        if (found == Experiment.UserStop.WAS_MARKED || p.state() != State.PAUSED && p.state() != State.COMPLETED) {
            paused(e, "paused at request after round " + p.completedRounds());
        }
        return e.status();
    }

    ExperimentStatus cancel(Experiment e) {
        Experiment.UserStop found = e.stopByUser(true);
        if (found != Experiment.UserStop.ACTIVE) {
            RunIntent.deleteLogged(e);
            if (found == Experiment.UserStop.WAS_MARKED) {
                paused(e, "cancelled at request after round " + e.progress().completedRounds());
            }
            return e.status();
        }
        CompletableFuture<ExperimentStatus> run = e.run();
        if (run != null) {
            try {
                return run.get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException x) {
                // report where it stands now
            }
        }
        return e.status();
    }

    ExperimentStatus swapStrategy(Experiment e, String strategyId, Map<String, ?> settings) {
        ExperimentSpec old = e.progress().spec();
        if (!old.protocol().aggregates()) {
            throw new FederationException("experiment '" + e.name + "' uses protocol " + old.protocol().id()
                    + ", which aggregates nothing; swapping its strategy would have no effect");
        }
        AggregationStrategy strategy = services.strategies().get(strategyId);
        if (strategy == null) {
            throw new FederationException("experiment '" + e.name + "': no strategy '" + strategyId
                    + "' is present (present: " + services.strategies().ids() + ")");
        }
        StrategySession session = strategy.open(settings == null ? Map.of() : settings, services.strategyContext());
        Map<String, Object> bound = session.settings();
        SecureRound.requireSumBased(old, strategy, bound);
        String few = services.tooFewSites(old, strategy, bound);
        if (few != null) {
            throw new FederationException("experiment '" + e.name + "': " + few);
        }
        int effective = e.progress().completedRounds() + 1;
        String note = "strategy swapped before round " + effective + ": " + old.strategy() + " "
                + new TreeMap<>(old.strategySettings()) + " -> " + strategyId + " " + new TreeMap<>(bound);
        e.swap(old.withStrategy(strategyId, bound), new Experiment.PendingSwap(strategy, session, note));
        services.publish(new FederationEvent.StrategySwapped(e.name, old.strategy(), strategyId, bound, effective));
        return e.status();
    }
}
