package org.fedfms.server.tests;

import java.util.Hashtable;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.train.SiteTrainerFactory;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Publishes the test fixture as the OSGi services the federation looks for: the {@code fixture} dataset
 * loader and the {@code linreg} trainer factory. (Tycho runs a test bundle from its project folder, where
 * DS descriptors generated into target/classes are not found, so the fixture registers itself.)
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
        trainer = context.registerService(SiteTrainerFactory.class, new LinRegTrainerFactory(LinRegTrainerFactory.ID), trainerProps);
    }

    @Override
    public void stop(BundleContext context) {
        loader.unregister();
        trainer.unregister();
    }
}
