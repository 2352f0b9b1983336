package org.fedfms.shell.tests;

import java.util.Hashtable;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Publishes the shell tests' world with the shared fixture's classes: a {@code fixture} loader of three sites
 * (12 training, 4 validation, 4 test samples each) and a {@code linreg} trainer on two inputs, which the
 * tests' expected tables count. They are registered after the fixture bundle's own services of those ids,
 * so the federation uses these ({@link Shell} waits until it does).
 */
public final class FixtureActivator implements BundleActivator {

    /** The loader the shell tests run on. */
    static final DatasetLoader LOADER =
            new FixtureDatasetLoader(new FixtureDatasetLoader.Settings(3, 12, 4, 4, 0, ""));
    /** The trainer factory the shell tests run on. */
    static final SiteTrainerFactory TRAINER = new LinRegTrainerFactory(LinRegTrainerFactory.ID, 2);

    private ServiceRegistration<DatasetLoader> loader;
    private ServiceRegistration<SiteTrainerFactory> trainer;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> loaderProps = new Hashtable<>();
        loaderProps.put(DatasetLoader.ID_PROPERTY, FixtureDatasetLoader.ID);
        loader = context.registerService(DatasetLoader.class, LOADER, loaderProps);
        Hashtable<String, Object> trainerProps = new Hashtable<>();
        trainerProps.put(SiteTrainerFactory.ID_PROPERTY, LinRegTrainerFactory.ID);
        trainer = context.registerService(SiteTrainerFactory.class, TRAINER, trainerProps);
    }

    @Override
    public void stop(BundleContext context) {
        loader.unregister();
        trainer.unregister();
    }
}
