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
import org.fedfms.federation.StartingPoint;

/**
 * One experiment's state. Status fields are guarded by the object's monitor; the round state (models,
 * strategy session, sites) belongs to whoever holds {@link #roundLock}.
 */
final class Experiment {

    /** A strategy swap waiting for the next round. */
    record PendingSwap(AggregationStrategy strategy, StrategySession session, String note) {
    }

    /**
     * The spec, state, completed rounds and history at one moment.
     *
     * @param history the completed rounds' results, oldest first (immutable)
     */
    record Progress(ExperimentSpec spec, State state, int completedRounds, List<RoundResult> history) {
    }

    final String name;
    final Path directory;
    /** Held while this process runs the experiment; another process holding it runs it elsewhere. */
    final RunLock runLock;
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
    private int autoResumeUntil;
    private String interruption = "";
    private StartingPoint startingPoint = StartingPoint.RANDOM;

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
    /** The pause or cancel asked for came from a user (not from the service stopping). */
    volatile boolean userStopRequested;

    /** What a user's pause or cancel found. */
    enum UserStop {
        /** A run or round is in progress; it stops after its round. */
        ACTIVE,
        /** Idle, waiting to go on with an interrupted run by itself; it no longer will. */
        WAS_MARKED,
        /** Idle. */
        IDLE
    }

    Experiment(ExperimentSpec spec, Path directory, State state) {
        this.name = spec.name();
        this.spec = spec;
        this.directory = directory;
        this.runLock = new RunLock(directory);
        this.store = new CheckpointStore(directory);
        this.state = state;
    }

    /** An experiment continuing from a checkpoint; its tensors are read when first needed. */
    static Experiment restored(CheckpointStore.Saved saved, Path directory) {
        ExperimentSpec spec = saved.spec();
        boolean done = saved.round() >= spec.schedule().rounds();
        Experiment e = new Experiment(spec, directory, done ? State.COMPLETED : State.PAUSED);
        e.completedRounds = saved.round();
        e.history = List.copyOf(saved.history());
        e.lastEvaluation = saved.history().isEmpty() ? Metrics.empty()
                : saved.history().get(saved.history().size() - 1).evaluationMetrics();
        e.restored = saved;
        e.message = done ? "" : "restored from the checkpoint of round " + saved.round() + "; resume to go on";
        return e;
    }

    /** The status; an experiment another process runs now shows as running elsewhere. */
    synchronized ExperimentStatus status() {
        boolean aggregates = spec.protocol().aggregates();
        String elsewhere = active ? null : runLock.heldElsewhere();
        return new ExperimentStatus(name, elsewhere == null ? state : State.RUNNING, completedRounds, spec.schedule().rounds(),
                spec.protocol(), aggregates ? spec.strategy() : RoundLoop.NO_STRATEGY,
                aggregates ? spec.strategySettings() : Map.of(),
                elsewhere == null ? message : runningElsewhere(elsewhere), lastEvaluation, startingPoint,
                org.fedfms.federation.BestRound.of(history).orElse(null));
    }

    /** What the status says of a run another process owns. */
    static String runningElsewhere(String owner) {
        return "running elsewhere: " + owner + " owns its run; this process neither runs nor resumes it (its "
                + "rounds show here once that run has ended and FedFMS restarts)";
    }

    /** Records what the model started from (at creation, or as read back from the directory). */
    synchronized void setStartingPoint(StartingPoint startingPoint) {
        this.startingPoint = startingPoint;
    }

    /** What a caller reads of the status at one moment: fields read together stay consistent. */
    synchronized Progress progress() {
        return new Progress(spec, state, completedRounds, history);
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
        userStopRequested = false;
        state = State.RUNNING;
        message = "";
        return true;
    }

    /** Ends an activity; a state still RUNNING becomes READY or COMPLETED. Returns whether it became COMPLETED. */
    synchronized boolean deactivate() {
        active = false;
        run = null;
        if (state == State.RUNNING) {
            state = completedRounds >= spec.schedule().rounds() ? State.COMPLETED : State.READY;
            return state == State.COMPLETED;
        }
        return false;
    }

    /**
     * Marks an idle experiment whose run to {@code untilRound} was interrupted: it waits, paused, until the
     * service starts that run again by itself.
     */
    synchronized void markAutoResume(int untilRound) {
        autoResumeUntil = untilRound;
        interruption = "the run to round " + untilRound + " was interrupted after round " + completedRounds
                + " (the process stopped)";
        state = State.PAUSED;
        message = interruption + "; it goes on by itself once its sites are ready";
    }

    /** The round the interrupted run goes on to by itself, or 0 if the experiment is not marked. */
    synchronized int autoResumeUntil() {
        return autoResumeUntil;
    }

    /** Forgets the interrupted run; returns whether the experiment was marked. */
    synchronized boolean clearAutoResume() {
        boolean marked = autoResumeUntil > 0;
        autoResumeUntil = 0;
        return marked;
    }

    /** Says in the status what a marked, idle experiment still waits for before it goes on. */
    synchronized void waitingFor(String what) {
        if (autoResumeUntil > 0 && !active) {
            message = interruption + "; it goes on by itself once its sites are ready (waiting for " + what + ")";
        }
    }

    /**
     * Activates a marked, idle experiment for the interrupted run and forgets the mark; returns the round the
     * run goes to, or 0 (nothing activated) if it is not marked or is busy.
     */
    synchronized int activateMarked(CompletableFuture<ExperimentStatus> run) {
        int until = autoResumeUntil;
        if (until <= completedRounds || active) {
            return 0;
        }
        autoResumeUntil = 0;
        activate(run);
        return until;
    }

    /** A user's pause ({@code cancel} false) or cancel: asks an active run to stop, or forgets the mark. */
    synchronized UserStop stopByUser(boolean cancel) {
        if (active) {
            userStopRequested = true;
            pauseRequested = true;
            if (cancel) {
                cancelRequested = true;
            }
            return UserStop.ACTIVE;
        }
        return clearAutoResume() ? UserStop.WAS_MARKED : UserStop.IDLE;
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
