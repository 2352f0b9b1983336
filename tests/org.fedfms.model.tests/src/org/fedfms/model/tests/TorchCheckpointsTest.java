package org.fedfms.model.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.model.ModelService;
import org.fedfms.api.model.WeightsReport;
import org.fedfms.model.ModelVariant;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.model.io.TorchCheckpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** PyTorch checkpoints written by real {@code torch.save} (fixtures/make_checkpoints.py), read without Python. */
class TorchCheckpointsTest {

    private static final List<String> SMALL_NAMES = List.of("0.weight", "0.bias", "1.weight", "1.bias", "view", "full",
            "slice");

    @TempDir
    Path dir;

    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    private Path fixture(String name) throws IOException {
        return Fixtures.copy("torch/" + name, Files.createDirectories(dir.resolve("torch")).getParent());
    }

    private void assertSmall(ParameterSet s) throws IOException {
        ParameterSet expected = ParameterFiles.read(fixture("small_expected.npz"));
        assertEquals(SMALL_NAMES, s.names());
        for (String n : SMALL_NAMES) {
            assertArrayEquals(expected.get(n).shape(), s.get(n).shape(), n);
            assertArrayEquals(expected.get(n).values(), s.get(n).values(), 0f, n);
        }
        assertArrayEquals(new int[] {4, 3}, s.get("view").shape());
        assertArrayEquals(new float[] {-2.75f, -2.5f, -2.25f}, s.get("slice").values(), 0f);
    }

    @Test
    void float32HalfAndBfloat16StateDictsReadExactlyWithViewsResolved() throws IOException {
        for (String f : List.of("small_fp32.pth", "small_fp16.pth", "small_bf16.pth")) {
            Path file = fixture(f);
            assertEquals(ParameterFiles.Format.PTH, ParameterFiles.detect(file), f);
            assertSmall(ParameterFiles.read(file));
        }
        Path renamed = Files.copy(fixture("small_fp16.pth"), dir.resolve("weights.pt"));
        assertSmall(ParameterFiles.read(renamed));
        assertEquals(ParameterFiles.Format.PTH, ParameterFiles.Format.ofFileName(renamed));
    }

    @Test
    void trainingCheckpointWrappersAndDataParallelPrefixesAreUnwrapped() throws IOException {
        assertSmall(ParameterFiles.read(fixture("wrapped_module.pth")));
        assertSmall(ParameterFiles.read(fixture("state_dict_wrapper.pth")));
    }

    @Test
    void aPickleThatWouldRunCodeIsRefusedBeforeItRunsAndNamesTheGlobal() throws IOException {
        Path marker = Path.of("/tmp/fedfms-pickle-payload-ran");
        Files.deleteIfExists(marker);
        Path file = fixture("malicious.pth");
        IOException e = assertThrows(IOException.class, () -> ParameterFiles.read(file));
        assertTrue(e.getMessage().contains("malicious.pth") && e.getMessage().contains("'posix.system'"),
                e.getMessage());
        assertFalse(Files.exists(marker), "the payload ran");
        assertThrows(IOException.class, () -> TorchCheckpoints.shapes(file));
        assertFalse(Files.exists(marker), "the payload ran");
    }

    @Test
    void legacyAndBrokenCheckpointsAreNamedInTheError() throws IOException {
        IOException e = assertThrows(IOException.class, () -> ParameterFiles.read(fixture("legacy.pth")));
        assertTrue(e.getMessage().contains("legacy.pth") && e.getMessage().contains("legacy format"), e.getMessage());
        Path noStorage = dir.resolve("no-storage.pth");
        try (var zipIn = new java.util.zip.ZipFile(fixture("small_fp32.pth").toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(noStorage))) {
            for (var entries = zipIn.entries(); entries.hasMoreElements();) {
                var entry = entries.nextElement();
                if (!entry.getName().endsWith("data/3")) {
                    out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                    out.write(zipIn.getInputStream(entry).readAllBytes());
                }
            }
        }
        e = assertThrows(IOException.class, () -> ParameterFiles.read(noStorage));
        assertTrue(e.getMessage().contains("no-storage.pth") && e.getMessage().contains("storage 3 is missing"),
                e.getMessage());
        e = assertThrows(IOException.class, () -> ParameterFiles.write(dir.resolve("out.pth"),
                ParameterFiles.read(fixture("small_fp32.pth"))));
        assertTrue(e.getMessage().contains("read, not written"), e.getMessage());
    }

    @Test
    void officialSamCheckpointLayoutsMatchTheModelsNameForNameAndShapeForShape() throws Exception {
        for (String model : List.of("sam-vit-b", "sam-vit-l", "sam-vit-h")) {
            Map<String, int[]> file = TorchCheckpoints.shapes(fixture(model.replace('-', '_') + "_layout.pth"));
            Map<String, int[]> expected = new LinkedHashMap<>();
            try (SegmentationModel m = service(ModelVariant.class, "(id=" + model + ")").create()) {
                m.tensors().forEach((n, p) -> expected.put(n, p.intShape()));
            }
            assertEquals(expected.keySet(), file.keySet(), model);
            expected.forEach((n, shape) -> assertArrayEquals(shape, file.get(n), model + " " + n));
        }
    }

    @Test
    void theModelServiceLoadsAWrappedHalfPrecisionSamTinyCheckpoint() throws Exception {
        Path file = fixture("sam_tiny_medsam_fp16.pth");
        WeightsReport r = service(ModelService.class, "").loadWeights("sam-tiny", "", file);
        assertEquals("pth", r.format());
        assertEquals(202, r.tensorsLoaded());
        assertTrue(r.keptInitial().isEmpty() && r.ignored().isEmpty(), r.toString());
        ParameterSet expected = ParameterFiles.read(fixture("sam_tiny_expected.npz"));
        ParameterSet read = ParameterFiles.read(file);
        for (String n : expected.names()) {
            assertArrayEquals(expected.get(n).values(), read.get(n).values(), 0f, n);
        }
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        BundleContext context = FrameworkUtil.getBundle(TorchCheckpointsTest.class).getBundleContext();
        ServiceTracker<T, T> t = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")"), null);
        t.open();
        trackers.add(t);
        T s = t.waitForService(30_000);
        assertNotNull(s, type + " " + filter);
        return s;
    }

    @AfterEach
    void closeTrackers() {
        trackers.forEach(ServiceTracker::close);
    }
}
