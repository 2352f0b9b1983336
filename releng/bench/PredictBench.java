import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.fedfms.api.io.NpyArray;
import org.fedfms.api.model.PredictionRequest;
import org.fedfms.djl.internal.PyTorchRuntime;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.internal.ModelServiceComponent;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.model.sam.internal.SamTinyVariant;
import org.fedfms.model.sam.internal.SamVitBVariant;

import ai.djl.Device;

/**
 * The Java half of releng/bench/predict: the model service's {@code predict} (what {@code fedfms:predict}
 * runs) twice on the same weights file and image, on the product's jars outside OSGi: the first call loads
 * the model (cold), the second finds it warm. Weights are the variant's random initialisation, written once.
 *
 * <p>java -cp JARS PredictBench.java VARIANT DIR   (VARIANT: sam-vit-b or sam-tiny)
 */
public class PredictBench {

    public static void main(String[] args) throws Exception {
        String id = args[0];
        Path dir = Path.of(args[1]);
        ModelVariant variant = id.equals("sam-tiny") ? new SamTinyVariant() : new SamVitBVariant();
        PyTorchRuntime runtime = new PyTorchRuntime();
        runtime.engine();
        ModelServiceComponent service = new ModelServiceComponent(runtime);
        Method bind = ModelServiceComponent.class.getDeclaredMethod("addVariant", ModelVariant.class, Map.class);
        bind.setAccessible(true); // the DS bind method is package-private; SCR calls it the same way
        bind.invoke(service, variant, Map.of("id", id));

        Path weights = dir.resolve(id + ".safetensors");
        try (SegmentationModel m = variant.create()) {
            m.initialize(runtime.newManager(Device.cpu()), 1);
            ParameterFiles.write(weights, m.toParameterSet(ParameterScope.STATE));
        }
        int s = variant.inputSize();
        float[] rgb = new float[s * s * 3];
        Random r = new Random(3);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextInt(256);
        }
        Path image = dir.resolve("image.npy");
        new NpyArray(new int[] {s, s, 3}, rgb).write(image);

        double cold = predict(service, id, weights, image, dir.resolve("cold.npy"));
        double warm = predict(service, id, weights, image, dir.resolve("warm.npy"));
        if (!java.util.Arrays.equals(NpyArray.read(dir.resolve("cold.npy")).values(),
                NpyArray.read(dir.resolve("warm.npy")).values())) {
            throw new IllegalStateException("the warm prediction differs from the cold one");
        }
        System.out.printf("bench predict %s cold-seconds %.2f%n", id, cold);
        System.out.printf("bench predict %s warm-seconds %.2f%n", id, warm);
        System.out.printf("bench predict %s models-loaded %d%n", id, service.modelsLoaded());
        Files.deleteIfExists(weights);
    }

    private static double predict(ModelServiceComponent service, String id, Path weights, Path image, Path out)
            throws Exception {
        long t0 = System.nanoTime();
        service.predict(new PredictionRequest(id, "", weights, image, out, "none", false, "cpu"));
        return (System.nanoTime() - t0) / 1e9;
    }
}
