package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.fedfms.api.io.NpyArray;
import org.fedfms.api.model.ModelService;
import org.fedfms.api.model.PredictionRequest;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.internal.ModelServiceComponent;
import org.fedfms.model.io.ParameterFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

import ai.djl.Device;

/** predict keeps its model loaded for the next call of the same model, weights contents and device. */
class WarmPredictionTest {

    @TempDir
    Path dir;

    @Test
    void theModelStaysLoadedUntilItsWeightsFileChanges() throws Exception {
        ModelServiceComponent models = (ModelServiceComponent) service(ModelService.class);
        Path weights = dir.resolve("warm.safetensors");
        writeTinyWeights(weights, 3);
        float[] rgb = new float[128 * 128 * 3];
        Random r = new Random(7);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextInt(256);
        }
        Path image = dir.resolve("image.npy");
        new NpyArray(new int[] {128, 128, 3}, rgb).write(image);

        long loaded = models.modelsLoaded();
        float[] first = predict(models, weights, image, "a");
        float[] second = predict(models, weights, image, "b");
        assertEquals(loaded + 1, models.modelsLoaded(), "the second prediction ran on the warm model");
        assertArrayEquals(first, second);

        writeTinyWeights(weights, 4);
        float[] changed = predict(models, weights, image, "c");
        assertEquals(loaded + 2, models.modelsLoaded(), "new contents of the weights file: loaded again");
        assertFalse(Arrays.equals(first, changed), "the prediction uses the new weights");
        predict(models, weights, image, "d");
        assertEquals(loaded + 2, models.modelsLoaded());
    }

    private float[] predict(ModelService models, Path weights, Path image, String name) throws Exception {
        Path out = dir.resolve(name + ".npy");
        models.predict(new PredictionRequest("sam-tiny", "", weights, image, out, "none", false, "cpu"));
        return NpyArray.read(out).values();
    }

    private static void writeTinyWeights(Path file, long seed) throws Exception {
        try (SegmentationModel m = service(ModelVariant.class).create()) {
            m.initialize(ConvTransposeTest.runtime().newManager(Device.cpu()), seed);
            ParameterFiles.write(file, m.toParameterSet(ParameterScope.STATE));
        }
    }

    private static <T> T service(Class<T> type) throws Exception {
        BundleContext c = FrameworkUtil.getBundle(WarmPredictionTest.class).getBundleContext();
        String filter = type == ModelVariant.class ? "(&(objectClass=" + type.getName() + ")(id=sam-tiny))"
                : "(objectClass=" + type.getName() + ")";
        ServiceTracker<T, T> t = new ServiceTracker<>(c, c.createFilter(filter), null);
        t.open();
        T s = t.waitForService(30_000);
        assertNotNull(s, "no " + type.getSimpleName());
        return s;
    }
}
