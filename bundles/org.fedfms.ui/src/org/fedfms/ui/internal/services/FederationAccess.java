package org.fedfms.ui.internal.services;

import java.util.Hashtable;
import java.util.function.Consumer;

import org.eclipse.swt.widgets.Display;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What a part needs of the federation engine: the {@link FederationService} present now, and its events
 * handed to the part on the display thread (through a {@link FederationListener} published as a
 * whiteboard service, so events arrive whenever the engine is there). Parts call the service and show
 * its records; they hold no federation state of their own.
 */
public final class FederationAccess implements AutoCloseable {

    private final ServiceTracker<FederationService, FederationService> tracker;
    private final ServiceRegistration<FederationListener> listener;
    private volatile boolean closed;

    /**
     * Starts tracking the engine.
     *
     * @param display the display whose thread receives the events
     * @param events receives each event on the display thread; null for none
     */
    public FederationAccess(Display display, Consumer<FederationEvent> events) {
        BundleContext context = FrameworkUtil.getBundle(FederationAccess.class).getBundleContext();
        tracker = new ServiceTracker<>(context, FederationService.class, null);
        tracker.open();
        if (events == null) {
            listener = null;
        } else {
            FederationListener forward = e -> {
                if (!closed && !display.isDisposed()) {
                    display.asyncExec(() -> {
                        if (!closed) {
                            events.accept(e);
                        }
                    });
                }
            };
            listener = context.registerService(FederationListener.class, forward, new Hashtable<>());
        }
    }

    /** The engine present now, or null. */
    public FederationService current() {
        return tracker.getService();
    }

    /**
     * The engine present now.
     *
     * @throws FederationException saying what to start when it is not present
     */
    public FederationService service() {
        FederationService f = tracker.getService();
        if (f == null) {
            throw new FederationException("the federation engine is not running: start bundle org.fedfms.federation"
                    + " in the Bundles part");
        }
        return f;
    }

    @Override
    public void close() {
        closed = true;
        if (listener != null) {
            try {
                listener.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle stopped first
            }
        }
        tracker.close();
    }
}
