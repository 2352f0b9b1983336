package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.fedfms.model.LoadMode;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.ParameterScope;
import org.fedfms.model.Prompts;
import org.fedfms.model.SegmentationModel;
import org.fedfms.api.io.NpyArray;
import org.fedfms.model.io.ParameterFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The model commands of the shell, run through Gogo as users run them, on sam-tiny. */
class ModelCommandsTest {

    @TempDir
    Path dir;

    private BundleContext context;
    private ServiceTracker<CommandProcessor, CommandProcessor> tracker;
    private CommandSession session;

    @BeforeEach
    void openSession() throws Exception {
        context = FrameworkUtil.getBundle(ModelCommandsTest.class).getBundleContext();
        tracker = new ServiceTracker<>(context, CommandProcessor.class, null);
        tracker.open();
        CommandProcessor processor = tracker.waitForService(30_000);
        assertNotNull(processor, "no Gogo CommandProcessor");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterEach
    void close() {
        session.close();
        tracker.close();
    }

    private String run(String command) throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                Object result = session.execute(command);
                return result == null ? "" : session.format(result, Converter.INSPECT).toString();
            } catch (IllegalArgumentException e) {
                if (System.currentTimeMillis() > end || !String.valueOf(e.getMessage()).contains("Command not found")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        ServiceTracker<T, T> t = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")"), null);
        t.open();
        T s = t.waitForService(30_000);
        assertNotNull(s, type + " " + filter);
        return s;
    }

    /** Writes sam-tiny weights (seed 3) and returns the file. */
    private Path tinyWeights(String name) throws Exception {
        ModelVariant v = service(ModelVariant.class, "(id=sam-tiny)");
        try (SegmentationModel m = v.create()) {
            m.initialize(ConvTransposeTest.runtime().newManager(Device.cpu()), 3);
            Path f = dir.resolve(name);
            ParameterFiles.write(f, m.toParameterSet(ParameterScope.STATE));
            return f;
        }
    }

    @Test
    void modelsAndAdaptersListWhatIsPresent() throws Exception {
        String models = run("fedfms:models");
        assertTrue(models.contains("sam-vit-b") && models.contains("93,735,472") && models.contains("sam-tiny")
                && models.contains("mask_decoder 4,058,340"), models);
        String adapters = run("fedfms:adapters");
        assertTrue(adapters.contains("msa") && adapters.contains("decoder"), adapters);
    }

    @Test
    void modelInfoCountsTrainableParametersAndTheBytesOfARound() throws Exception {
        String msa = run("fedfms:model-info --adapter msa sam-vit-b");
        assertTrue(msa.contains("11,159,268 trainable") && msa.contains("100,836,400 parameters"), msa);
        assertTrue(msa.contains("44.6 MB (44,637,072 bytes)"), msa);
        assertTrue(msa.contains("image_encoder   96,771,840   7,100,928"), msa);
        String plain = run("fedfms:modelinfo sam-vit-b");
        assertTrue(plain.contains("93,735,472 trainable"), plain);
        String ratio = run("fedfms:model-info -a msa sam-tiny ratio=0.5");
        assertTrue(ratio.contains("with adapter msa"), ratio);
        Exception e = assertThrows(Exception.class, () -> run("fedfms:model-info sam-vit-x"));
        assertTrue(e.getMessage().contains("no model variant 'sam-vit-x'") && e.getMessage().contains("sam-vit-b"),
                e.getMessage());
    }

    @Test
    void loadWeightsReportsWhatTheFileHeldAndListsWhatDoesNotFit() throws Exception {
        Path f = tinyWeights("tiny.safetensors");
        String out = run("fedfms:load-weights sam-tiny " + f);
        assertTrue(out.contains("weights fit sam-tiny") && out.contains("safetensors"), out);
        String msa = run("fedfms:load-weights --adapter msa sam-tiny " + f);
        assertTrue(msa.contains("kept initial values") && msa.contains("32 tensors"), msa);
        Exception e = assertThrows(Exception.class, () -> run("fedfms:load-weights sam-vit-b " + f));
        assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("mis-shaped"), e.getMessage());
    }

    @Test
    void predictWritesTheSameLogitsAsTheModelAndAnOverlay() throws Exception {
        Path weights = tinyWeights("tiny.npz");
        float[] rgb = new float[96 * 128 * 3];
        Random r = new Random(5);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextInt(256);
        }
        Path image = dir.resolve("image.npy");
        new NpyArray(new int[] {96, 128, 3}, rgb).write(image);
        Path out = dir.resolve("pred.png");
        String text = run("fedfms:predict --weights " + weights + " --image " + image + " --out " + out
                + " --prompt box:10,20,90,80 --multimask sam-tiny");
        assertTrue(text.contains("pred.masks.npy") && text.contains("[3, 32, 32]"), text);
        NpyArray masks = NpyArray.read(dir.resolve("pred.masks.npy"));
        NpyArray iou = NpyArray.read(dir.resolve("pred.iou.npy"));
        assertArrayEquals(new int[] {3, 32, 32}, masks.shape());
        assertArrayEquals(new int[] {3}, iou.shape());
        assertEquals(128, ImageIO.read(out.toFile()).getWidth());
        assertEquals(96, ImageIO.read(out.toFile()).getHeight());

        ModelVariant v = service(ModelVariant.class, "(id=sam-tiny)");
        try (SegmentationModel m = v.create()) {
            m.initialize(ConvTransposeTest.runtime().newManager(Device.cpu()), 0);
            m.load(ParameterFiles.read(weights), LoadMode.EXACT);
            try (NDManager b = m.manager().newSubManager()) {
                float[] x = m.preprocess(rgb, 96, 128);
                float[] expected = m.predict(b.create(x, new Shape(1, 3, 128, 128)),
                        Prompts.ofBoxes(b.create(new float[] {10, 20, 90, 80}, new Shape(1, 4))), true).masks()
                        .toFloatArray();
                assertArrayEquals(expected, masks.values(), 1e-5f);
            }
        }
    }

    @Test
    void predictResizesPngImagesAndScalesThePrompt() throws Exception {
        Path weights = tinyWeights("tiny.safetensors");
        Path image = Fixtures.copy("large.png", dir);
        Path out = dir.resolve("out.npy");
        String text = run("fedfms:predict -w " + weights + " -i " + image + " -o " + out + " -p point:20,15 sam-tiny");
        assertTrue(text.contains("[1, 32, 32]"), text);
        assertArrayEquals(new int[] {1, 32, 32}, NpyArray.read(out).shape());
        assertTrue(Files.exists(dir.resolve("out.iou.npy")));
    }

    @Test
    void aMissingGpuOrABadPromptIsAClearError() throws Exception {
        Path weights = tinyWeights("tiny.safetensors");
        Path image = Fixtures.copy("large.png", dir);
        Exception e = assertThrows(Exception.class, () -> run("fedfms:predict -w " + weights + " -i " + image + " -o "
                + dir.resolve("x.npy") + " --device gpu:0 sam-tiny"));
        assertTrue(e.getMessage().contains("gpu:0 is not available"), e.getMessage());
        e = assertThrows(Exception.class, () -> run("fedfms:predict -w " + weights + " -i " + image + " -o "
                + dir.resolve("x.npy") + " --prompt circle:1,2 sam-tiny"));
        assertTrue(e.getMessage().contains("circle:1,2"), e.getMessage());
        e = assertThrows(Exception.class, () -> run("fedfms:predict -i " + image + " sam-tiny"));
        assertTrue(e.getMessage().contains("--weights FILE") && e.getMessage().contains("--out FILE"), e.getMessage());
    }
}
