package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationListener;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.Conditions;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.testing.fixture.ParameterBits;
import org.fedfms.testing.fixture.TestFiles;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What the federation tests share: the federation service as OSGi hands it out now, the fixture
 * services, services registered by a test (unregistered at the end), and an event recorder.
 */
final class TestEnv implements AutoCloseable {

    static final String FEDERATION_BUNDLE = "org.fedfms.federation";

    final BundleContext context = FrameworkUtil.getBundle(TestEnv.class).getBundleContext();
    final List<FederationEvent> events = new CopyOnWriteArrayList<>();
    private final ServiceTracker<FederationService, FederationService> federation;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    TestEnv() {
        federation = new ServiceTracker<>(context, FederationService.class, null);
        federation.open();
        FederationListener recorder = events::add;
        Hashtable<String, Object> props = new Hashtable<>();
        registrations.add(context.registerService(FederationListener.class, recorder, props));
    }

    /** The federation service present now (waits up to 10 s). */
    FederationService federation() {
        try {
            FederationService f = federation.waitForService(10_000);
            assertNotNull(f, "no FederationService within 10 s");
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A spec on the fixture dataset and the linear-regression trainer. */
    static ExperimentSpecBuilder spec(String name) {
        return ExperimentSpec.builder(name)
                .dataset(FixtureDatasetLoader.ID)
                .trainer(LinRegTrainerFactory.ID)
                .model("linreg")
                .adapter("none")
                .device("cpu")
                .learningRate(0.02)
                .batchSize(8)
                .localEpochs(1)
                .rounds(5)
                .roundDeadlineSeconds(30);
    }

    /**
     * Removes any experiment of that name left by an earlier run (stopping it first: one interrupted in an
     * earlier test session goes on by itself), with its files, and waits for the fixture.
     */
    FederationService fresh(String name) {
        FederationService f = federation();
        awaitServices(f, "fedavg");
        if (f.experiments().stream().anyMatch(s -> s.name().equals(name))) {
            f.cancel(name);
        }
        f.remove(name, true);
        deleteTree(f.experimentsDirectory().resolve(name));
        return f;
    }

    /** Waits until {@code f} has bound the fixture loader, the linreg trainer and the strategies named. */
    void awaitServices(FederationService f, String... strategies) {
        List<String> wanted = List.of(strategies);
        awaitTrue(() -> f.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                && f.trainerFactories().stream().anyMatch(t -> t.id().equals(LinRegTrainerFactory.ID))
                && f.strategies().stream().map(s -> s.id()).toList().containsAll(wanted),
                () -> "fixture loader, linreg trainer and " + wanted + " present; present: loaders "
                        + f.loaders().stream().map(l -> l.id()).toList() + ", trainers "
                        + f.trainerFactories().stream().map(t -> t.id()).toList() + ", strategies "
                        + f.strategies().stream().map(t -> t.id()).toList() + "; bundles not active: "
                        + java.util.Arrays.stream(context.getBundles()).filter(b -> b.getState() != Bundle.ACTIVE)
                                .map(b -> b.getSymbolicName() + "=" + b.getState()).toList());
    }

    /**
     * Stops and starts the federation bundle, as a restarted workbench or server does; the new service once it
     * has bound the fixture's services and the strategies named (the experiments are restored by then).
     */
    FederationService restartFederation(String... strategies) {
        FederationService old = federation();
        Bundle b = bundle(FEDERATION_BUNDLE);
        try {
            b.stop();
            b.start();
        } catch (BundleException e) {
            throw new AssertionError("restarting " + FEDERATION_BUNDLE + " failed", e);
        }
        FederationService g = federation();
        assertNotSame(old, g, "a new federation service");
        awaitServices(g, strategies);
        return g;
    }

    /** Registers a trainer factory service with its id property for the rest of the test. */
    ServiceRegistration<org.fedfms.api.train.SiteTrainerFactory> register(
            org.fedfms.api.train.SiteTrainerFactory factory) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(org.fedfms.api.train.SiteTrainerFactory.ID_PROPERTY, factory.id());
        var r = context.registerService(org.fedfms.api.train.SiteTrainerFactory.class, factory, props);
        registrations.add(r);
        String id = factory.id();
        awaitTrue(() -> federation().trainerFactories().stream().anyMatch(s -> s.id().equals(id)), "trainer " + id);
        return r;
    }

    /** Registers a strategy service with its id property for the rest of the test. */
    ServiceRegistration<AggregationStrategy> register(AggregationStrategy strategy) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(AggregationStrategy.ID_PROPERTY, strategy.id());
        ServiceRegistration<AggregationStrategy> r = context.registerService(AggregationStrategy.class, strategy, props);
        registrations.add(r);
        String id = strategy.id();
        awaitTrue(() -> federation().strategies().stream().anyMatch(s -> s.id().equals(id)), "strategy " + id);
        return r;
    }

    /** The linear-regression factory service of this bundle. */
    LinRegTrainerFactory linreg() {
        try {
            var refs = context.getServiceReferences(SiteTrainerFactory.class,
                    "(" + SiteTrainerFactory.ID_PROPERTY + "=" + LinRegTrainerFactory.ID + ")");
            assertNotNull(refs);
            return (LinRegTrainerFactory) context.getService(refs.iterator().next());
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /** The events of one experiment and type, in order. */
    <T extends FederationEvent> List<T> events(String experiment, Class<T> type) {
        List<T> list = new ArrayList<>();
        for (FederationEvent e : events) {
            if (type.isInstance(e) && e.experiment().equals(experiment)) {
                list.add(type.cast(e));
            }
        }
        return list;
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        awaitTrue(condition, () -> what);
    }

    static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        Conditions.awaitTrue(condition, what, 10_000);
    }

    /** Whether two parameter sets are equal bit for bit (names, shapes, every value's bits). */
    static boolean bitwiseEqual(ParameterSet a, ParameterSet b) {
        return ParameterBits.bitwiseEqual(a, b);
    }

    static Map<String, Object> settings(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static void deleteTree(Path root) {
        TestFiles.deleteTree(root);
    }

    /** Unregisters what the test registered; starts the federation bundle again if the test left it stopped. */
    @Override
    public void close() {
        Bundle b = bundle(FEDERATION_BUNDLE);
        if (b.getState() != Bundle.ACTIVE) {
            try {
                b.start();
            } catch (BundleException e) {
                throw new AssertionError("starting " + FEDERATION_BUNDLE + " again after the test failed", e);
            }
        }
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
        federation.close();
    }
}
