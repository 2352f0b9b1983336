package org.fedfms.djl.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.fedfms.djl.TorchRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** Tests on the TorchRuntime service that org.fedfms.djl publishes: found once per test class. */
abstract class OnTorchRuntime {

    private static ServiceTracker<TorchRuntime, TorchRuntime> tracker;
    static TorchRuntime runtime;

    @BeforeAll
    static void findRuntime() throws InterruptedException {
        BundleContext context = FrameworkUtil.getBundle(OnTorchRuntime.class).getBundleContext();
        tracker = new ServiceTracker<>(context, TorchRuntime.class, null);
        tracker.open();
        runtime = tracker.waitForService(60_000);
        assertNotNull(runtime, "no TorchRuntime service");
    }

    @AfterAll
    static void closeTracker() {
        tracker.close();
    }
}
