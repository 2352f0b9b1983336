package org.fedfms.model.sam.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.ModelVariant;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/** Services of the running framework, as the tests need them. */
final class Services {

    private Services() {
    }

    static BundleContext context() {
        return FrameworkUtil.getBundle(Services.class).getBundleContext();
    }

    static <T> T get(Class<T> type, String filter) {
        try {
            String f = filter == null ? "(objectClass=" + type.getName() + ")"
                    : "(&(objectClass=" + type.getName() + ")" + filter + ")";
            ServiceTracker<T, T> t = new ServiceTracker<>(context(), context().createFilter(f), null);
            t.open();
            T s = t.waitForService(30_000);
            assertNotNull(s, "no service " + f);
            return s;
        } catch (InterruptedException | InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static TorchRuntime runtime() {
        return get(TorchRuntime.class, null);
    }

    static ModelVariant variant(String id) {
        return get(ModelVariant.class, "(id=" + id + ")");
    }

    static Map<String, Object> none() {
        return Map.of();
    }
}
