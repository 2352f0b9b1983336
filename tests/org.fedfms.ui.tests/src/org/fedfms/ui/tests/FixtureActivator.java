package org.fedfms.ui.tests;

import java.util.Hashtable;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.train.SiteTrainerFactory;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Publishes the test fixture as the services the federation engine looks for: the {@code fixture} dataset
 * loader and the {@code linreg} trainer factory (as the federation tests do: Tycho runs a test bundle from
 * its project folder, where generated DS descriptors are not found).
 */
public final class FixtureActivator implements BundleActivator {

    private ServiceRegistration<DatasetLoader> loader;
    private ServiceRegistration<SiteTrainerFactory> trainer;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> loaderProps = new Hashtable<>();
        loaderProps.put(DatasetLoader.ID_PROPERTY, FixtureDatasetLoader.ID);
        loader = context.registerService(DatasetLoader.class, new FixtureDatasetLoader(), loaderProps);
        Hashtable<String, Object> trainerProps = new Hashtable<>();
        trainerProps.put(SiteTrainerFactory.ID_PROPERTY, LinRegTrainerFactory.ID);
        trainer = context.registerService(SiteTrainerFactory.class, new LinRegTrainerFactory(LinRegTrainerFactory.ID),
                trainerProps);
    }

    @Override
    public void stop(BundleContext context) {
        loader.unregister();
        trainer.unregister();
    }
}
