package org.fedfms.model.sam.tests;

import java.util.Map;

import org.fedfms.djl.TorchRuntime;
import org.fedfms.model.ModelVariant;
import org.fedfms.testing.fixture.TestServices;

/** Services of the running framework, as the tests need them. */
final class Services {

    private Services() {
    }

    static <T> T get(Class<T> type, String filter) {
        return TestServices.await(Services.class, type, filter, 30_000);
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
