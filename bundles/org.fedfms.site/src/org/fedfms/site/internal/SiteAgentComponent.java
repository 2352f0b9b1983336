package org.fedfms.site.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.train.SiteTrainerFactory;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Runs a {@link SiteAgent} when the framework or system property {@value SiteAgentConfig#CONFIG_PROPERTY}
 * names a configuration file (as {@code fedfms site --config FILE} does), with the dataset loaders and
 * trainer factories present in this framework. Without that property it does nothing.
 */
@Component(immediate = true)
public class SiteAgentComponent implements SiteAgent.LocalServices {

    private static final System.Logger LOG = System.getLogger(SiteAgentComponent.class.getName());

    private final Map<String, DatasetLoader> loaders = new ConcurrentHashMap<>();
    private final Map<String, SiteTrainerFactory> factories = new ConcurrentHashMap<>();
    private SiteAgent agent;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLoader(DatasetLoader loader, Map<String, Object> properties) {
        Object id = properties.get(DatasetLoader.ID_PROPERTY);
        loaders.put(id != null ? id.toString() : loader.id(), loader);
    }

    void removeLoader(DatasetLoader loader, Map<String, Object> properties) {
        loaders.values().remove(loader);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        Object id = properties.get(SiteTrainerFactory.ID_PROPERTY);
        factories.put(id != null ? id.toString() : factory.id(), factory);
    }

    void removeTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        factories.values().remove(factory);
    }

    @Override
    public DatasetLoader loader(String id) {
        return loaders.get(id);
    }

    @Override
    public SiteTrainerFactory trainerFactory(String id) {
        return factories.get(id);
    }

    @Activate
    void activate(BundleContext context) {
        String file = context.getProperty(SiteAgentConfig.CONFIG_PROPERTY);
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            SiteAgentConfig config = SiteAgentConfig.read(Path.of(file));
            agent = new SiteAgent(config, this, null);
            agent.start();
            LOG.log(System.Logger.Level.INFO, "FedFMS site agent '" + config.siteId() + "' started; coordinator "
                    + config.coordinator());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "the site agent configured in " + file + " cannot start: "
                    + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        if (agent != null) {
            agent.close();
        }
    }
}
