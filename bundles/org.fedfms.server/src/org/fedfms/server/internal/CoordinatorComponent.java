package org.fedfms.server.internal;

import java.nio.file.Path;
import java.util.Hashtable;

import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs a {@link Coordinator} when the framework or system property {@value CoordinatorConfig#CONFIG_PROPERTY}
 * names a configuration file (as {@code fedfms coordinator --config FILE} does), and registers it as the
 * {@link SiteProvider} experiments name as their dataset. Without that property it does nothing.
 */
@Component(immediate = true)
public class CoordinatorComponent {

    private static final System.Logger LOG = System.getLogger(CoordinatorComponent.class.getName());

    private final Coordinator coordinator;
    private final ServiceRegistration<SiteProvider> registration;

    @Activate
    public CoordinatorComponent(BundleContext context, @Reference FederationService federation) {
        String file = context.getProperty(CoordinatorConfig.CONFIG_PROPERTY);
        Coordinator started = null;
        ServiceRegistration<SiteProvider> reg = null;
        if (file != null && !file.isBlank()) {
            try {
                CoordinatorConfig config = CoordinatorConfig.read(Path.of(file));
                started = new Coordinator(config, federation);
                started.start();
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(SiteProvider.ID_PROPERTY, config.providerId());
                reg = context.registerService(SiteProvider.class, started, props);
                LOG.log(System.Logger.Level.INFO, "FedFMS coordinator listening on " + started.uri()
                        + (started.fingerprint() == null ? "" : "; certificate SHA-256 fingerprint (for the sites' "
                                + "config): " + started.fingerprint()));
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "the coordinator configured in " + file + " cannot start: "
                        + e.getMessage(), e);
                if (started != null) {
                    started.close();
                    started = null;
                }
            }
        }
        coordinator = started;
        registration = reg;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException gone) {
                // already unregistered with the bundle
            }
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }
}
