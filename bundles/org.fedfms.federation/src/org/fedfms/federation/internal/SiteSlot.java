package org.fedfms.federation.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.fedfms.api.SiteInfo;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.FederatedSite;

/**
 * A site of an experiment with its one-call-at-a-time guard: a call that overran its deadline keeps the
 * site busy until it returns, and the site is not called again meanwhile.
 */
final class SiteSlot implements AutoCloseable {

    /** Work done on a site. */
    @FunctionalInterface
    interface Work<T> {
        T run(FederatedSite site, TrainingMonitor monitor) throws Exception;
    }

    private final FederatedSite site;
    private final SiteInfo info;
    private final AtomicBoolean busy = new AtomicBoolean();

    SiteSlot(FederatedSite site) {
        this.site = site;
        this.info = site.info();
    }

    FederatedSite site() {
        return site;
    }

    SiteInfo info() {
        return info;
    }

    String id() {
        return info.siteId();
    }

    /**
     * Starts {@code work} on the executor, or returns {@code null} if the site is still busy with an
     * earlier call.
     */
    <T> SiteCall<T> call(ExecutorService executor, Work<T> work, BooleanSupplier experimentCancelled) {
        return call(executor, work, experimentCancelled, () -> { });
    }

    /** As {@link #call(ExecutorService, Work, BooleanSupplier)}; {@code done} runs when the work has ended. */
    <T> SiteCall<T> call(ExecutorService executor, Work<T> work, BooleanSupplier experimentCancelled, Runnable done) {
        if (!busy.compareAndSet(false, true)) {
            return null;
        }
        try {
            return SiteCall.start(executor, this, work, experimentCancelled, done);
        } catch (RejectedExecutionException e) {
            release();
            throw e;
        }
    }

    void release() {
        busy.set(false);
    }

    boolean busy() {
        return busy.get();
    }

    @Override
    public void close() {
        site.close();
    }
}
