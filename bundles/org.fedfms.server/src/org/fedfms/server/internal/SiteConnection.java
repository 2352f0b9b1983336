package org.fedfms.server.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.util.thread.Scheduler;
import org.fedfms.api.SiteInfo;

/**
 * A configured site as the coordinator knows it: whether it has joined, what it reported, and its tasks:
 * queued (not yet fetched by the site) and delivered (fetched, awaiting its answer). Thread-safe.
 */
final class SiteConnection {

    private final String siteId;
    private final Deque<SiteTask> queued = new ArrayDeque<>();
    private final Map<String, SiteTask> delivered = new LinkedHashMap<>();
    private SiteInfo info;
    private boolean joined;
    private long lastSeenMillis;
    private long joins;
    private final Deque<CompletableFuture<SiteTask>> waiters = new ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger inProgress =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, org.fedfms.api.train.TrainingMonitor> watchers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private long lastProgressNanos;
    private boolean progressed;

    SiteConnection(String siteId) {
        this.siteId = siteId;
    }

    String siteId() {
        return siteId;
    }

    synchronized boolean joined() {
        return joined;
    }

    synchronized SiteInfo info() {
        return info == null ? new SiteInfo(siteId, 0) : info;
    }

    synchronized long lastSeenMillis() {
        return lastSeenMillis;
    }

    synchronized long joins() {
        return joins;
    }

    /**
     * Whether the site may be chosen for a round: joined, and heard from within {@code leaseMillis}, polling now
     * or holding a task (a site that trains for long does not poll meanwhile).
     */
    synchronized boolean alive(long leaseMillis) {
        return joined && (!waiters.isEmpty() || !delivered.isEmpty()
                || System.currentTimeMillis() - lastSeenMillis <= leaseMillis);
    }

    /** The site was heard from. */
    synchronized void heardFrom() {
        lastSeenMillis = System.currentTimeMillis();
    }

    /** Counts a request of the site in; {@code false} (and nothing counted) if {@code max} are in progress. */
    boolean enter(int max) {
        while (true) {
            int n = inProgress.get();
            if (n >= max) {
                return false;
            }
            if (inProgress.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Counts a request of the site out. */
    void exit() {
        inProgress.decrementAndGet();
    }

    /** The site (re)joined: tasks it had fetched are lost with its old process and fail. */
    void join(SiteInfo reported) {
        List<SiteTask> lost;
        synchronized (this) {
            info = reported;
            joined = true;
            joins++;
            lastSeenMillis = System.currentTimeMillis();
            lost = new ArrayList<>(delivered.values());
            delivered.clear();
        }
        lost.forEach(t -> t.result().completeExceptionally(new IllegalStateException("site '" + siteId
                + "' joined again while it held " + t.describe() + "; the task is lost")));
    }

    /** The site left: every task it has fails. */
    void leave(String why) {
        List<SiteTask> lost;
        synchronized (this) {
            joined = false;
            lost = new ArrayList<>(delivered.values());
            lost.addAll(queued);
            delivered.clear();
            queued.clear();
        }
        endPolls();
        lost.forEach(t -> t.result().completeExceptionally(new IllegalStateException("site '" + siteId + "' "
                + why + " before finishing " + t.describe())));
    }

    /** Queues a task for the site; fails at once if the site is not joined. */
    void submit(SiteTask task) {
        synchronized (this) {
            if (joined) {
                queued.add(task);
            }
        }
        if (joined()) {
            handOver();
            return;
        }
        task.result().completeExceptionally(new IllegalStateException("site '" + siteId + "' is not connected"));
    }

    /** Forgets a task that ended (answered, timed out or cancelled). */
    synchronized void forget(SiteTask task) {
        queued.remove(task);
        delivered.remove(task.id());
        watchers.remove(task.id());
    }

    /** Relays the site's progress reports on {@code task} to {@code monitor} (the round's, which publishes them). */
    void watch(SiteTask task, org.fedfms.api.train.TrainingMonitor monitor) {
        if (monitor != null && task.open()) {
            watchers.put(task.id(), monitor);
        }
    }

    /**
     * Relays the site's progress on {@code task}; {@code false} (dropped) when it comes sooner than
     * {@link org.fedfms.wire.protocol.ProgressReport#MIN_INTERVAL_MILLIS} after the last one of this site.
     */
    boolean progress(SiteTask task, org.fedfms.wire.protocol.ProgressReport report) {
        synchronized (this) {
            long now = System.nanoTime();
            if (progressed && now - lastProgressNanos < TimeUnit.MILLISECONDS.toNanos(
                    org.fedfms.wire.protocol.ProgressReport.MIN_INTERVAL_MILLIS)) {
                return false;
            }
            progressed = true;
            lastProgressNanos = now;
        }
        org.fedfms.api.train.TrainingMonitor m = watchers.get(task.id());
        if (m != null) {
            m.batchDone(siteId, report.batch(), report.batches(), report.samples());
        }
        return true;
    }

    /**
     * The next queued task: at once if one is queued, else when one comes within {@code waitMillis} ({@code null}
     * if none came, or the site left). No thread waits meanwhile: {@code scheduler} ends the wait.
     */
    CompletableFuture<SiteTask> poll(long waitMillis, Scheduler scheduler) {
        CompletableFuture<SiteTask> waiter = new CompletableFuture<>();
        synchronized (this) {
            lastSeenMillis = System.currentTimeMillis();
            SiteTask t = next();
            if (t != null || waitMillis <= 0 || !joined) {
                waiter.complete(t);
                return waiter;
            }
            waiters.add(waiter);
        }
        scheduler.schedule(() -> {
            if (release(waiter)) {
                waiter.complete(null);
            }
        }, waitMillis, TimeUnit.MILLISECONDS);
        return waiter;
    }

    /** Takes a waiter out; {@code false} if it was answered already. */
    private synchronized boolean release(CompletableFuture<SiteTask> waiter) {
        boolean waiting = waiters.remove(waiter);
        if (waiting) {
            lastSeenMillis = System.currentTimeMillis();
        }
        return waiting;
    }

    /** The next open queued task, now delivered; {@code null} if none. Holds the lock. */
    private SiteTask next() {
        SiteTask t;
        while ((t = queued.poll()) != null) {
            if (t.open()) {
                delivered.put(t.id(), t);
                return t;
            }
        }
        return null;
    }

    /** Hands queued tasks to waiting polls; completes them outside the lock. */
    private void handOver() {
        List<Map.Entry<CompletableFuture<SiteTask>, SiteTask>> answers = new ArrayList<>();
        synchronized (this) {
            while (!waiters.isEmpty() && !queued.isEmpty()) {
                SiteTask t = next();
                if (t == null) {
                    break;
                }
                lastSeenMillis = System.currentTimeMillis();
                answers.add(Map.entry(waiters.poll(), t));
            }
        }
        for (Map.Entry<CompletableFuture<SiteTask>, SiteTask> a : answers) {
            if (!a.getKey().complete(a.getValue())) {
                synchronized (this) {
                    delivered.remove(a.getValue().id());
                    queued.addFirst(a.getValue());
                }
            }
        }
    }

    /** Ends every waiting poll with no task (the site left or joined again). */
    private void endPolls() {
        List<CompletableFuture<SiteTask>> ended;
        synchronized (this) {
            ended = new ArrayList<>(waiters);
            waiters.clear();
        }
        ended.forEach(w -> w.complete(null));
    }

    /** A task the site fetched and has not yet answered, or {@code null}. */
    synchronized SiteTask delivered(String taskId) {
        SiteTask t = delivered.get(taskId);
        return t != null && t.open() ? t : null;
    }
}
