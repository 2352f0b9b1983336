package org.fedfms.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.felix.service.command.Process;
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
 * listener queues its events, the command thread turns them into a line per round and per site, and a
 * printer thread of its own writes the lines to the command's output stream. An interrupt of the command
 * thread (Ctrl-C) cancels the experiment: the current round is discarded, the completed ones are kept.
 *
 * <p>The command thread never writes itself: Gogo's session streams are interruptible channels, and a
 * write by a thread that is interrupted during it closes the session's output for good (the cancel
 * message and everything after it would be lost). The run returns only after every line, the cancel
 * message included, has been written.
 */
final class ForegroundRun implements FederationListener, AutoCloseable {

    private static final long EVENT_WAIT_MILLIS = 5_000;
    /** How long the command waits for its lines to be written before it returns anyway. */
    private static final long PRINT_WAIT_MILLIS = 10_000;
    /** Prefix of the federation's message for a pause that was asked for (not a failure). */
    private static final String REQUESTED_PAUSE = "paused at request";

    private final FederationService federation;
    private final String name;
    private final PrintStream out;
    private final BlockingQueue<FederationEvent> events = new LinkedBlockingQueue<>();
    private final ExecutorService printer;
    private final int plannedRounds;
    private int lastRoundSeen;
    /** Whether progress inside a round is one line rewritten in place (a terminal) or occasional lines. */
    private final boolean terminal = System.console() != null;
    /** Each training site's last progress in the current round. */
    private final Map<String, FederationEvent.SiteProgress> progress = new TreeMap<>();
    /** Each site's last quarter of the round's batches shown as a plain line. */
    private final Map<String, Integer> quartersShown = new TreeMap<>();
    private boolean progressLineOpen;

    ForegroundRun(FederationService federation, String name, PrintStream out) {
        this.federation = federation;
        this.name = name;
        this.out = out;
        ExperimentStatus s = federation.status(name);
        this.plannedRounds = s.plannedRounds();
        this.lastRoundSeen = s.completedRounds();
        this.printer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fedfms-progress-" + name);
            t.setDaemon(true);
            return t;
        });
        federation.addListener(this);
    }

    /**
     * The running command's output stream as an object any thread can write to ({@code System.out} is
     * Gogo's per-thread stand-in, which would send another thread's lines elsewhere).
     */
    static PrintStream commandOutput() {
        Process p = Process.Utils.current();
        return p != null && p.out() != null ? p.out() : System.out;
    }

    @Override
    public void onEvent(FederationEvent event) {
        if (event.experiment().equals(name)) {
            events.add(event);
        }
    }

    /** Stops listening, and waits (boundedly, ignoring interrupts) until every line queued has been written. */
    @Override
    public void close() {
        federation.removeListener(this);
        printer.shutdown();
        boolean interrupted = false;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PRINT_WAIT_MILLIS);
        while (!printer.isTerminated() && System.nanoTime() < end) {
            try {
                printer.awaitTermination(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            // a second Ctrl-C while the last lines were written: the command is ending anyway
            Thread.interrupted();
        }
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

    /**
     * Cancels the experiment after an interrupt and says so once it is cancelled. The thread's interrupt
     * flag stays clear: the exception returned says the command was interrupted, and a flag left set would
     * make Gogo's next write from this thread close the session's stream.
     */
    private FederationException cancel() {
        emit(prefix() + "interrupted: cancelling; the current round is discarded, completed rounds are kept");
        Thread.interrupted();
        ExperimentStatus s = federation.cancel(name);
        Thread.interrupted();
        FederationEvent e;
        while ((e = events.poll()) != null) {
            print(e);
        }
        emit(prefix() + "cancelled: " + state(s) + " after " + s.completedRounds() + " of "
                + s.plannedRounds() + " rounds; 'fedfms:resume " + name + "' goes on");
        return new FederationException("experiment '" + name + "' was cancelled (interrupted) after "
                + s.completedRounds() + " completed rounds; it is " + state(s));
    }

    private void print(FederationEvent event) {
        if (event == null) {
            return;
        }
        if (event instanceof FederationEvent.SiteProgress p) {
            progress(p);
            return;
        }
        if (event instanceof FederationEvent.RoundStarted) {
            progress.clear();
            quartersShown.clear();
        } else if (event instanceof FederationEvent.SiteFinished f) {
            progress.remove(f.site().siteId());
        }
        String line = line(event);
        if (line != null) {
            emit(prefix() + line);
        }
    }

    /**
     * Shows a site's progress: on a terminal one line for all training sites, rewritten in place; otherwise a
     * line per site when it passes a quarter of its batches (its end is the site's own line).
     */
    private void progress(FederationEvent.SiteProgress p) {
        progress.put(p.site(), p);
        if (terminal) {
            List<String> parts = new ArrayList<>();
            progress.values().forEach(q -> parts.add(q.site() + " " + progressText(q)));
            raw("\r\033[K" + fitted(prefix() + "  " + String.join(" | ", parts), TerminalWidth.columns()));
            progressLineOpen = true;
            return;
        }
        int quarter = 4 * p.batch() / p.batches();
        if (p.batch() < p.batches() && quarter > quartersShown.getOrDefault(p.site(), 0)) {
            quartersShown.put(p.site(), quarter);
            emit(prefix() + "  " + p.site() + ": " + progressText(p));
        }
    }

    /**
     * {@code line} cut to fit in one row of {@code columns}: a wrapped line could not be rewritten in place (the
     * carriage return goes back to the start of its last row only).
     */
    static String fitted(String line, int columns) {
        int room = Math.max(4, columns - 1);
        return line.length() <= room ? line : line.substring(0, room - 3) + "...";
    }

    /** {@code batch 3/8, 12.5 samples/s, ETA 0:04}. */
    static String progressText(FederationEvent.SiteProgress p) {
        return String.format(Locale.ROOT, "batch %d/%d, %.1f samples/s, ETA %s", p.batch(), p.batches(),
                p.samplesPerSecond(), p.etaText());
    }

    /** Hands text without a line end to the printer thread. */
    private void raw(String text) {
        try {
            printer.execute(() -> {
                out.print(text);
                out.flush();
            });
        } catch (RejectedExecutionException closed) {
            // the run is over
        }
    }

    /** Hands a line to the printer thread. */
    private void emit(String line) {
        if (progressLineOpen) {
            progressLineOpen = false;
            raw("\r\033[K");
        }
        try {
            printer.execute(() -> {
                out.println(line);
                out.flush();
            });
        } catch (RejectedExecutionException closed) {
            // the run is over; nothing more is shown
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
