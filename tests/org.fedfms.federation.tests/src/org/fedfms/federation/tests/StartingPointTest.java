package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.StartingPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An experiment's initial weights: carried to the trainers, described by name, format and digest. */
class StartingPointTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("fedfms-starting-point-test");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        TestEnv.deleteTree(dir);
    }

    @Test
    void theStartingPointNamesTheFileItsFormatAndDigestOrRandomInitialisation() throws IOException {
        assertEquals("random initialisation", StartingPoint.of("").describe());
        assertTrue(StartingPoint.of(null).isRandom());
        Path pth = dir.resolve("sam_vit_b_01ec64.pth");
        try (OutputStream out = Files.newOutputStream(pth); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', '.'});
            zip.closeEntry();
        }
        StartingPoint p = StartingPoint.of(pth.toString());
        assertEquals("sam_vit_b_01ec64.pth", p.file());
        assertEquals("pth", p.format());
        assertEquals(12, p.sha256().length());
        assertTrue(p.describe().startsWith("sam_vit_b_01ec64.pth (pth, sha256 "), p.describe());
        Path st = dir.resolve("w.safetensors");
        Files.write(st, "\u0002\0\0\0\0\0\0\0{}".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("safetensors", StartingPoint.of(st.toString()).format());
        IOException e = assertThrows(IOException.class, () -> StartingPoint.of(dir.resolve("none.pth").toString()));
        assertTrue(e.getMessage().contains("none.pth"), e.getMessage());
    }

    @Test
    void theWeightsGoToTheTrainersAndRoundTripThroughJson() throws IOException {
        ExperimentSpec plain = ExperimentSpec.builder("plain").build();
        assertEquals("", plain.weights());
        assertFalse(plain.trainerSpec().options().containsKey(ExperimentSpec.WEIGHTS_OPTION));
        ExperimentSpec s = ExperimentSpec.builder("pre").weights("/data/medsam_vit_b.pth")
                .trainerOptions(Map.of("loss", "bce")).build();
        assertEquals(Map.of("loss", "bce", "weights", "/data/medsam_vit_b.pth"), s.trainerSpec().options());
        assertEquals(s, ExperimentSpecJson.fromJson(ExperimentSpecJson.toJson(s), "test"));
        assertEquals("/data/medsam_vit_b.pth", s.initialWeights());
        assertEquals("/o.pth", plain.toBuilder().trainerOptions(Map.of("weights", "/o.pth")).build().initialWeights());
        ExperimentSpec twice = s.toBuilder().trainerOptions(Map.of("weights", "/x.pth")).build();
        assertTrue(twice.problems().stream().anyMatch(p -> p.contains("give it once")), twice.problems().toString());
    }

    @Test
    void theStartingPointIsRecordedOnceAtCreationAndReadFromTheRecordAfterwards() throws Exception {
        Path weights = dir.resolve("pretrained.safetensors");
        Files.write(weights, "\u0002\0\0\0\0\0\0\0{}".getBytes(StandardCharsets.ISO_8859_1));
        StartingPoint expected = StartingPoint.of(weights.toString());
        try (TestEnv env = new TestEnv()) {
            FederationService f = env.federation();
            String name = "start-recorded";
            f.remove(name, true);
            TestEnv.deleteTree(f.experimentsDirectory().resolve(name));
            ExperimentStatus created = f.create(TestEnv.spec(name).weights(weights.toString()).build());
            assertEquals(expected, created.startingPoint());
            assertTrue(Files.exists(f.experimentsDirectory().resolve(name).resolve(StartingPoint.RECORD_FILE)));

            Files.write(weights, "\u0002\0\0\0\0\0\0\0{ }".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(expected, f.status(name).startingPoint(), "not hashed again: the file changed since");
            Files.delete(weights);
            assertEquals(expected, f.status(name).startingPoint(), "the record needs no file");
            assertEquals("pretrained.safetensors (safetensors, sha256 " + expected.sha256() + ")",
                    f.status(name).startingPoint().describe());
            assertEquals(null, f.status(name).best(), "no round yet");

            FederationService again = env.restartFederation();
            assertEquals(expected, again.status(name).startingPoint(), "listed again from its record");

            FederationException missing = assertThrows(FederationException.class, () -> again.create(
                    TestEnv.spec("start-missing").weights(dir.resolve("gone.pth").toString()).build()));
            assertTrue(missing.getMessage().contains("gone.pth") && missing.getMessage().contains("start-missing"),
                    missing.getMessage());
            assertEquals(StartingPoint.RANDOM, again.create(TestEnv.spec("start-random").build()).startingPoint());
            again.remove("start-random", true);
            again.remove(name, true);
        }
    }
}
