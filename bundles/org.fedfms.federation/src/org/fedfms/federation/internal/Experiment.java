package org.fedfms.federation.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;

/**
 * One experiment's state. Status fields are guarded by the object's monitor; the round state (models,
 * strategy session, sites) belongs to whoever holds {@link #roundLock}.
 */
final class Experiment {

    /** A strategy swap waiting for the next round. */
    record PendingSwap(AggregationStrategy strategy, StrategySession session, String note) {
    }

    final String name;
    final Path directory;
    final CheckpointStore store;
    final ReentrantLock roundLock = new ReentrantLock();

    // status: guarded by this
    private ExperimentSpec spec;
    private State state;
    private String message = "";
    private int completedRounds;
    private List<RoundResult> history = List.of();
    private Metrics lastEvaluation = Metrics.empty();
    private boolean active;
    private CompletableFuture<ExperimentStatus> run;
    private PendingSwap pendingSwap;

    // round state: owned by the roundLock holder
    volatile ParameterSet global;
    volatile Map<String, ParameterSet> localModels = Map.of();
    CheckpointStore.Saved restored;
    StrategySession session;
    AggregationStrategy sessionStrategy;
    StrategyState lastStrategyState = StrategyState.EMPTY;
    String pendingNote = "";
    SiteSetup setup;
    String checkpointError;

    volatile boolean pauseRequested;
    volatile boolean cancelRequested;

    Experiment(ExperimentSpec spec, Path directory, State state) {
        this.name = spec.name();
        this.spec = spec;
        this.directory = directory;
        this.store = new CheckpointStore(directory);
        this.state = state;
    }

    /** An experiment continuing from a checkpoint; its tensors are read when first needed. */
    static Experiment restored(CheckpointStore.Saved saved, Path directory) {
        ExperimentSpec spec = saved.spec();
        boolean done = saved.round() >= spec.rounds();
        Experiment e = new Experiment(spec, directory, done ? State.COMPLETED : State.PAUSED);
        e.completedRounds = saved.round();
        e.history = saved.history();
        e.lastEvaluation = saved.history().isEmpty() ? Metrics.empty()
                : saved.history().get(saved.history().size() - 1).evaluationMetrics();
        e.restored = saved;
        e.message = done ? "" : "restored from the checkpoint of round " + saved.round() + "; resume to go on";
        return e;
    }

    synchronized ExperimentStatus status() {
        boolean aggregates = RoundLoop.aggregates(spec.protocol());
        return new ExperimentStatus(name, state, completedRounds, spec.rounds(), spec.protocol(),
                aggregates ? spec.strategy() : RoundLoop.NO_STRATEGY, aggregates ? spec.strategySettings() : Map.of(),
                message, lastEvaluation);
    }

    synchronized ExperimentSpec spec() {
        return spec;
    }

    synchronized State state() {
        return state;
    }

    synchronized int completedRounds() {
        return completedRounds;
    }

    synchronized List<RoundResult> history() {
        return history;
    }

    synchronized void setState(State state, String message) {
        this.state = state;
        this.message = message == null ? "" : message;
    }

    /** Marks the experiment active (a round or run in progress); false if it already is. */
    synchronized boolean activate(CompletableFuture<ExperimentStatus> run) {
        if (active) {
            return false;
        }
        active = true;
        this.run = run;
        pauseRequested = false;
        cancelRequested = false;
        state = State.RUNNING;
        message = "";
        return true;
    }

    /** Ends an activity; a state still RUNNING becomes READY or COMPLETED. Returns whether it became COMPLETED. */
    synchronized boolean deactivate() {
        active = false;
        run = null;
        if (state == State.RUNNING) {
            state = completedRounds >= spec.rounds() ? State.COMPLETED : State.READY;
            return state == State.COMPLETED;
        }
        return false;
    }

    synchronized boolean active() {
        return active;
    }

    synchronized CompletableFuture<ExperimentStatus> run() {
        return run;
    }

    synchronized void swap(ExperimentSpec newSpec, PendingSwap swap) {
        this.spec = newSpec;
        this.pendingSwap = swap;
    }

    synchronized PendingSwap takePendingSwap() {
        PendingSwap s = pendingSwap;
        pendingSwap = null;
        return s;
    }

    /** Records a completed round. */
    synchronized void completed(RoundResult result) {
        List<RoundResult> h = new ArrayList<>(history);
        h.add(result);
        history = List.copyOf(h);
        completedRounds = result.round();
        lastEvaluation = result.evaluationMetrics();
    }

    /** Forgets the strategy session so that the next round opens it again from the last completed round. */
    void dropSession() {
        session = null;
        sessionStrategy = null;
    }

    /** Closes the sites. */
    void closeSetup() {
        SiteSetup s = setup;
        setup = null;
        if (s != null) {
            s.close();
        }
    }
}
