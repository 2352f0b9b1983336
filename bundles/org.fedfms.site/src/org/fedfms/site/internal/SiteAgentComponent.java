package org.fedfms.site.internal;

import java.nio.file.Path;
import java.util.Map;

import org.fedfms.api.ServicesById;
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

    private final ServicesById<DatasetLoader> loaders = new ServicesById<>(DatasetLoader::id);
    private final ServicesById<SiteTrainerFactory> factories = new ServicesById<>(SiteTrainerFactory::id);
    private SiteAgent agent;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLoader(DatasetLoader loader, Map<String, Object> properties) {
        loaders.add(loader, properties);
    }

    void removeLoader(DatasetLoader loader, Map<String, Object> properties) {
        loaders.remove(loader);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        factories.add(factory, properties);
    }

    void removeTrainerFactory(SiteTrainerFactory factory, Map<String, Object> properties) {
        factories.remove(factory);
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
            org.fedfms.wire.protocol.StartFailure.exitIfAsked("site agent");
        }
    }

    @Deactivate
    void deactivate() {
        if (agent != null) {
            agent.close();
        }
    }
}
