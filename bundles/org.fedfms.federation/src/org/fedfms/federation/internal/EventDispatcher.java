package org.fedfms.federation.internal;

import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationListener;

/** Delivers events in order on one thread of its own, so listeners never hold up a round. */
final class EventDispatcher {

    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());

    private final Supplier<Collection<FederationListener>> listeners;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedfms-federation-events");
        t.setDaemon(true);
        return t;
    });

    EventDispatcher(Supplier<Collection<FederationListener>> listeners) {
        this.listeners = listeners;
    }

    void publish(FederationEvent event) {
        try {
            thread.execute(() -> deliver(event));
        } catch (RejectedExecutionException stopped) {
            // shutting down: nobody is listening any more
        }
    }

    private void deliver(FederationEvent event) {
        for (FederationListener l : listeners.get()) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "federation listener " + l + " failed on " + event, e);
            }
        }
    }

    /** Delivers what is queued (for at most two seconds), then stops. */
    void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
