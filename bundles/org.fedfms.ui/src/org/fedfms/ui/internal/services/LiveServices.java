package org.fedfms.ui.internal.services;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.swt.widgets.Display;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The services of one type that are registered now, handed to a listener on the display thread each
 * time one arrives, changes its properties or leaves. Parts show what this reports and nothing else,
 * so a bundle that starts or stops shows up or disappears at once.
 *
 * @param <S> the service type
 */
public final class LiveServices<S> implements AutoCloseable {

    /** One registered service with the reference it was found through. */
    public record Entry<S>(ServiceReference<S> reference, S service) {

        /** The bundle that registered the service, or null once it is unregistered. */
        public Bundle bundle() {
            return reference.getBundle();
        }

        /** A service property, or null. */
        public Object property(String key) {
            return reference.getProperty(key);
        }
    }

    private final Display display;
    private final Consumer<List<Entry<S>>> listener;
    private final ServiceTracker<S, S> tracker;
    private volatile boolean closed;

    /**
     * Starts tracking; the listener receives the current services soon after, on the display thread.
     *
     * @param context the bundle context to track services with
     * @param type the service type
     * @param display the display whose thread runs the listener
     * @param listener receives the services present, in service ranking order
     */
    public LiveServices(BundleContext context, Class<S> type, Display display, Consumer<List<Entry<S>>> listener) {
        this.display = display;
        this.listener = listener;
        this.tracker = new ServiceTracker<>(context, type, new ServiceTrackerCustomizer<S, S>() {
            @Override
            public S addingService(ServiceReference<S> reference) {
                S service = context.getService(reference);
                if (service != null) {
                    post();
                }
                return service;
            }

            @Override
            public void modifiedService(ServiceReference<S> reference, S service) {
                post();
            }

            @Override
            public void removedService(ServiceReference<S> reference, S service) {
                post();
                context.ungetService(reference);
            }
        });
        tracker.open();
        post();
    }

    /** The services present now, highest ranking first. */
    public List<Entry<S>> current() {
        List<Entry<S>> entries = new ArrayList<>();
        // getTracked() is sorted by ServiceReference's natural order: lowest ranking first.
        for (Map.Entry<ServiceReference<S>, S> e : tracker.getTracked().entrySet()) {
            entries.add(0, new Entry<>(e.getKey(), e.getValue()));
        }
        return entries;
    }

    private void post() {
        if (closed || display.isDisposed()) {
            return;
        }
        display.asyncExec(() -> {
            if (!closed) {
                listener.accept(current());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        tracker.close();
    }
}
