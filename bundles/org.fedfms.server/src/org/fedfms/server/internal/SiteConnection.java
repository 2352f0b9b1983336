package org.fedfms.server.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private int polling;
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();

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
        return joined && (polling > 0 || !delivered.isEmpty()
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
            notifyAll();
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
            notifyAll();
        }
        lost.forEach(t -> t.result().completeExceptionally(new IllegalStateException("site '" + siteId + "' "
                + why + " before finishing " + t.describe())));
    }

    /** Queues a task for the site; fails at once if the site is not joined. */
    void submit(SiteTask task) {
        synchronized (this) {
            if (joined) {
                queued.add(task);
                notifyAll();
                return;
            }
        }
        task.result().completeExceptionally(new IllegalStateException("site '" + siteId + "' is not connected"));
    }

    /** Forgets a task that ended (answered, timed out or cancelled). */
    synchronized void forget(SiteTask task) {
        queued.remove(task);
        delivered.remove(task.id());
    }

    /** The next queued task, waiting up to {@code waitMillis} for one; {@code null} if none came. */
    SiteTask poll(long waitMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + waitMillis;
        synchronized (this) {
            polling++;
            try {
                while (true) {
                    lastSeenMillis = System.currentTimeMillis();
                    SiteTask t;
                    while ((t = queued.poll()) != null) {
                        if (t.open()) {
                            delivered.put(t.id(), t);
                            return t;
                        }
                    }
                    long left = end - System.currentTimeMillis();
                    if (left <= 0 || !joined) {
                        return null;
                    }
                    wait(left);
                }
            } finally {
                polling--;
                lastSeenMillis = System.currentTimeMillis();
            }
        }
    }

    /** A task the site fetched and has not yet answered, or {@code null}. */
    synchronized SiteTask delivered(String taskId) {
        SiteTask t = delivered.get(taskId);
        return t != null && t.open() ? t : null;
    }
}
