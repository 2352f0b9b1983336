package org.fedfms.federation.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.fedfms.api.train.TrainingMonitor;

/** One call to a site, running on the site executor, awaited against the round deadline. */
final class SiteCall<T> {

    /** The experiment was cancelled while the call was awaited. */
    static final class Cancelled extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int OVER = 2;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final SiteSlot slot;
    private final AtomicInteger phase = new AtomicInteger(PENDING);
    private final Monitor monitor;
    private volatile long startNanos;
    private volatile long endNanos;
    private Future<T> future;

    private SiteCall(SiteSlot slot, BooleanSupplier experimentCancelled) {
        this.slot = slot;
        this.monitor = new Monitor(experimentCancelled);
    }

    static <T> SiteCall<T> start(ExecutorService executor, SiteSlot slot, SiteSlot.Work<T> work,
            BooleanSupplier experimentCancelled, Runnable done) {
        SiteCall<T> call = new SiteCall<>(slot, experimentCancelled);
        call.future = executor.submit(() -> call.execute(work, done));
        return call;
    }

    private T execute(SiteSlot.Work<T> work, Runnable done) throws Exception {
        if (!phase.compareAndSet(PENDING, RUNNING)) {
            return null;
        }
        startNanos = System.nanoTime();
        try {
            return work.run(slot.site(), monitor);
        } finally {
            endNanos = System.nanoTime();
            phase.set(OVER);
            slot.release();
            done.run();
        }
    }

    /** Whether the call has ended (its result or failure can be taken without waiting). */
    boolean isDone() {
        return future.isDone();
    }

    SiteSlot slot() {
        return slot;
    }

    /**
     * The call's result, waiting until {@code deadlineNanos} at the latest.
     *
     * @throws TimeoutException if the deadline passed first (the call is then abandoned)
     * @throws ExecutionException if the site threw
     * @throws Cancelled if {@code cancelled} became true while waiting
     */
    T await(long deadlineNanos, BooleanSupplier cancelled) throws TimeoutException, ExecutionException, Cancelled {
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 && !future.isDone()) {
                abandon();
                throw new TimeoutException();
            }
            try {
                return future.get(Math.max(0, Math.min(left, POLL_NANOS)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // poll again: deadline and cancellation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancelled();
            } catch (java.util.concurrent.CancellationException e) {
                throw new TimeoutException();
            }
        }
    }

    /** Gives up on the call: tells the site to stop, interrupts it, and frees the site if it never started. */
    void abandon() {
        monitor.cancelled = true;
        future.cancel(true);
        if (phase.compareAndSet(PENDING, OVER)) {
            slot.release();
        }
    }

    /** Wall time of the call so far, in milliseconds. */
    long durationMillis() {
        long s = startNanos;
        if (s == 0) {
            return 0;
        }
        long e = endNanos;
        return TimeUnit.NANOSECONDS.toMillis((e == 0 ? System.nanoTime() : e) - s);
    }

    private static final class Monitor implements TrainingMonitor {
        private final BooleanSupplier experimentCancelled;
        private volatile boolean cancelled;

        Monitor(BooleanSupplier experimentCancelled) {
            this.experimentCancelled = experimentCancelled;
        }

        @Override
        public void progress(String siteId, double fraction, String message) {
        }

        @Override
        public boolean isCancelled() {
            return cancelled || experimentCancelled.getAsBoolean() || Thread.currentThread().isInterrupted();
        }
    }
}
