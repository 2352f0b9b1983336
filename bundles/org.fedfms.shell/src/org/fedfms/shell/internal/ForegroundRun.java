package org.fedfms.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.DataTable;

/**
 * Follows one run of an experiment from the command's own thread: the federation runs it, this
 * listener queues its events and the command thread prints a line per round and per site (so the lines
 * go to the command's session). An interrupt of the command thread (Ctrl-C) cancels the experiment: the
 * current round is discarded, the completed ones are kept.
 */
final class ForegroundRun implements FederationListener, AutoCloseable {

    private static final long EVENT_WAIT_MILLIS = 5_000;
    /** Prefix of the federation's message for a pause that was asked for (not a failure). */
    private static final String REQUESTED_PAUSE = "paused at request";

    private final FederationService federation;
    private final String name;
    private final PrintStream out;
    private final BlockingQueue<FederationEvent> events = new LinkedBlockingQueue<>();
    private final int plannedRounds;
    private int lastRoundSeen;

    ForegroundRun(FederationService federation, String name, PrintStream out) {
        this.federation = federation;
        this.name = name;
        this.out = out;
        ExperimentStatus s = federation.status(name);
        this.plannedRounds = s.plannedRounds();
        this.lastRoundSeen = s.completedRounds();
        federation.addListener(this);
    }

    @Override
    public void onEvent(FederationEvent event) {
        if (event.experiment().equals(name)) {
            events.add(event);
        }
    }

    @Override
    public void close() {
        federation.removeListener(this);
    }

    /**
     * Prints the run's progress until it ends and returns its final status.
     *
     * @param start starts the run (called after this listener is in place)
     * @throws FederationException if the run stopped on a round that could not complete, or was
     *     cancelled by an interrupt (the thread's interrupt flag is then set again)
     */
    ExperimentStatus follow(Supplier<CompletableFuture<ExperimentStatus>> start) {
        CompletableFuture<ExperimentStatus> future = start.get();
        ExperimentStatus status;
        try {
            while (!future.isDone()) {
                print(events.poll(100, TimeUnit.MILLISECONDS));
            }
            status = future.join();
            long end = System.currentTimeMillis() + EVENT_WAIT_MILLIS;
            while (lastRoundSeen < status.completedRounds() && System.currentTimeMillis() < end) {
                print(events.poll(100, TimeUnit.MILLISECONDS));
            }
            FederationEvent e;
            while ((e = events.poll(50, TimeUnit.MILLISECONDS)) != null) {
                print(e);
            }
        } catch (InterruptedException interrupted) {
            throw cancel();
        }
        if (status.state() == ExperimentStatus.State.FAILED || status.state() == ExperimentStatus.State.PAUSED
                && !status.message().startsWith(REQUESTED_PAUSE)) {
            throw new FederationException("experiment '" + name + "' stopped (" + state(status) + ") after "
                    + status.completedRounds() + " of " + status.plannedRounds() + " rounds: " + status.message());
        }
        return status;
    }

    private FederationException cancel() {
        out.println(prefix() + "interrupted: cancelling; the current round is discarded, completed rounds are kept");
        ExperimentStatus s = federation.cancel(name);
        Thread.interrupted();
        FederationEvent e;
        while ((e = events.poll()) != null) {
            print(e);
        }
        out.println(prefix() + "cancelled: " + state(s) + " after " + s.completedRounds() + " of "
                + s.plannedRounds() + " rounds; 'fedfms:resume " + name + "' goes on");
        Thread.currentThread().interrupt();
        return new FederationException("experiment '" + name + "' was cancelled (interrupted) after "
                + s.completedRounds() + " completed rounds; it is " + state(s));
    }

    private void print(FederationEvent event) {
        if (event == null) {
            return;
        }
        String line = line(event);
        if (line != null) {
            out.println(prefix() + line);
            out.flush();
        }
    }

    private String prefix() {
        return "[" + name + "] ";
    }

    private String line(FederationEvent event) {
        if (event instanceof FederationEvent.RoundStarted e) {
            return "round " + of(e.round()) + ": " + e.sites().size() + (e.sites().size() == 1 ? " site" : " sites")
                    + " training (" + String.join(", ", e.sites()) + ")"
                    + ("none".equals(e.strategyId()) ? "" : ", strategy " + e.strategyId());
        }
        if (event instanceof FederationEvent.SiteFinished e) {
            SiteRoundResult s = e.site();
            String took = seconds(s.durationMillis());
            if (s.status() != SiteRoundResult.Status.OK) {
                return "  " + s.siteId() + ": " + s.status().name().toLowerCase(Locale.ROOT) + " after " + took + ": "
                        + s.error();
            }
            String fit = s.fitMetrics().isEmpty() ? "" : ", " + metrics(s.fitMetrics());
            return "  " + s.siteId() + ": ok, " + s.sampleCount() + " samples" + fit
                    + ", up " + new DataTable.ByteCount(s.bytesUp()) + ", " + took;
        }
        if (event instanceof FederationEvent.RoundCompleted e) {
            RoundResult r = e.result();
            lastRoundSeen = Math.max(lastRoundSeen, r.round());
            long chosen = r.sites().stream().filter(s -> s.status() != SiteRoundResult.Status.SKIPPED).count();
            String eval = r.evaluationMetrics().isEmpty() ? "no evaluation" : metrics(r.evaluationMetrics());
            return "round " + of(r.round()) + " done in " + seconds(r.durationMillis()) + ": " + eval + " | "
                    + r.okSites() + "/" + chosen + " sites ok, up " + new DataTable.ByteCount(r.bytesUp()) + ", down "
                    + new DataTable.ByteCount(r.bytesDown()) + (r.note().isEmpty() ? "" : " | " + r.note());
        }
        if (event instanceof FederationEvent.StrategySwapped e) {
            return "strategy " + e.fromId() + " -> " + e.toId() + " " + new TreeMap<>(e.settings()) + " from round "
                    + e.effectiveRound();
        }
        if (event instanceof FederationEvent.ExperimentPaused e) {
            return "paused after round " + e.completedRounds() + ": " + e.message();
        }
        if (event instanceof FederationEvent.ExperimentFailed e) {
            return "FAILED after round " + e.completedRounds() + ": " + e.message();
        }
        if (event instanceof FederationEvent.ExperimentCompleted e) {
            return "completed: " + e.completedRounds() + " rounds";
        }
        return null;
    }

    private String of(int round) {
        return round + "/" + plannedRounds;
    }

    /** {@code dice 0.8123, iou 0.7012}. */
    private static String metrics(Metrics m) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            parts.add(e.getKey() + " " + DataTable.format(e.getValue()));
        }
        return String.join(", ", parts);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String state(ExperimentStatus s) {
        return s.state().name().toLowerCase(Locale.ROOT);
    }
}
