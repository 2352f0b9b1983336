package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.federation.internal.CheckpointStore;
import org.fedfms.federation.internal.ParameterSetFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The parameter file format, atomic writes and checkpoint directories, including simulated crashes. */
class CheckpointFilesTest {

    private Path dir;

    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createTempDirectory("fedfms-checkpoint-test");
    }

    @AfterEach
    void deleteDir() {
        TestEnv.deleteTree(dir);
    }

    private static ParameterSet params(float scale) {
        return ParameterSet.builder()
                .add("encoder.blocks.0.attn.qkv.weight", new int[] {2, 3},
                        new float[] {scale, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, -2.5f * scale})
                .add("scalar", new int[] {}, new float[] {42})
                .add("empty", new int[] {0, 4}, new float[0])
                .add("décodeur.ñ", new int[] {3}, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 7})
                .build();
    }

    @Test
    void parameterFileRoundTripsBitForBit() throws IOException {
        Path file = dir.resolve("p.fps");
        ParameterSet p = params(1.5f);
        ParameterSetFile.write(file, p);
        ParameterSet q = ParameterSetFile.read(file);
        assertEquals(p.names(), q.names());
        for (String n : p.names()) {
            assertArrayEquals(p.get(n).shape(), q.get(n).shape(), n);
            assertArrayEquals(p.get(n).values(), q.get(n).values(), n);
        }
        long header = 8 + 4 + 4 + 8 + (2 + 32 + 1 + 8) + (2 + 6 + 1) + (2 + 5 + 1 + 8) + (2 + 12 + 1 + 4);
        assertEquals(header + 4L * p.parameterCount() + 4, Files.size(file), "header + fp32 values + CRC32");
        byte[] head = Files.readAllBytes(file);
        assertEquals("FFMSPSET", new String(head, 0, 8, StandardCharsets.US_ASCII));

        ParameterSet big = ParameterSet.builder().add("big", new int[] {700, 1000}, ramp(700_000)).build();
        ParameterSetFile.write(file, big);
        assertArrayEquals(big.get("big").values(), ParameterSetFile.read(file).get("big").values());
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.001f - 3;
        }
        return v;
    }

    @Test
    void damagedParameterFilesAreRejectedWithTheReason() throws IOException {
        Path file = dir.resolve("p.fps");
        ParameterSetFile.write(file, params(1));
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length - 10] ^= 0x01;
        Files.write(file, flipped);
        IOException crc = assertThrows(IOException.class, () -> ParameterSetFile.read(file));
        assertTrue(crc.getMessage().contains("CRC32 mismatch") && crc.getMessage().contains(file.toString()),
                crc.getMessage());

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 7));
        IOException cut = assertThrows(IOException.class, () -> ParameterSetFile.read(file));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());

        Files.write(file, "{\"not\": \"a parameter file\"}".getBytes(StandardCharsets.UTF_8));
        IOException magic = assertThrows(IOException.class, () -> ParameterSetFile.read(file));
        assertTrue(magic.getMessage().contains("not a FedFMS parameter file"), magic.getMessage());

        byte[] version = good.clone();
        ByteBuffer.wrap(version).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, 99);
        Files.write(file, version);
        IOException v = assertThrows(IOException.class, () -> ParameterSetFile.read(file));
        assertTrue(v.getMessage().contains("format version 99"), v.getMessage());
    }

    @Test
    void atomicWriteThatCrashesHalfWayLeavesTheOldFile() throws IOException {
        Path file = dir.resolve("state.json");
        AtomicFiles.write(file, "old".getBytes(StandardCharsets.UTF_8));
        IOException crash = assertThrows(IOException.class, () -> AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap("new but only ha".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("simulated crash");
        }));
        assertEquals("simulated crash", crash.getMessage());
        assertEquals("old", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    private static CheckpointStore.Checkpoint checkpoint(int round) {
        List<RoundResult> history = new java.util.ArrayList<>();
        for (int r = 1; r <= round; r++) {
            history.add(new RoundResult("exp", r, "fedavg", Map.of("weighted", true),
                    List.of(new SiteRoundResult("site-0", SiteRoundResult.Status.OK, 10, Metrics.of("loss", 1.0 / r),
                            Metrics.of("mse", 2.0 / r, "nan", Double.NaN), null, 16, 16, 5)),
                    Metrics.of("loss", 1.0 / r), Metrics.of("mse", 2.0 / r), 16, 16, 7, Instant.ofEpochSecond(r),
                    r == 2 ? "strategy swapped" : ""));
        }
        ParameterSet state = ParameterSet.builder().add("m/w", new int[] {2}, new float[] {round, -round}).build();
        return new CheckpointStore.Checkpoint(round, TestEnv.spec("exp").build(), params(round),
                new StrategyState(state, Map.of("step", Integer.toString(round))), history,
                Map.of("site-0", params(10 + round)));
    }

    @Test
    void checkpointStoreReadsBackWhatItWrote() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("exp"));
        store.write(checkpoint(1));
        store.write(checkpoint(2));
        CheckpointStore.Saved saved = store.latest().orElseThrow();
        assertEquals(2, saved.round());
        assertEquals("exp", saved.spec().name());
        assertEquals(TestEnv.spec("exp").build(), saved.spec());
        assertEquals(checkpoint(2).history(), saved.history());
        assertTrue(Double.isNaN(saved.history().get(0).sites().get(0).evaluationMetrics().get("nan").getAsDouble()));
        assertTrue(TestEnv.bitwiseEqual(params(2), saved.global()));
        StrategyState state = saved.strategyState();
        assertEquals(Map.of("step", "2"), state.values());
        assertArrayEquals(new float[] {2, -2}, state.tensors().get("m/w").values());
        assertTrue(TestEnv.bitwiseEqual(params(12), saved.localModels().get("site-0")));

        store.write(checkpoint(3));
        assertEquals(List.of("round-000003", "round-000002"),
                store.roundDirs().stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void crashBeforeTheRenameLeavesThePreviousCheckpointReadable() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("exp"));
        store.write(checkpoint(1));
        store.write(checkpoint(2));
        // round 3: every file written and synced, then the process dies before the directory is renamed
        Path prepared = store.prepare(checkpoint(3));
        assertTrue(Files.isDirectory(prepared));
        // round 4: a writer that was not atomic died half-way through the parameter file
        Path torn = Files.createDirectories(dir.resolve("exp").resolve("round-000004"));
        Files.writeString(torn.resolve("spec.json"), "{\"name\": \"exp\"}");
        Files.write(torn.resolve("global.fps"), new byte[] {'F', 'F', 'M', 'S'}, StandardOpenOption.CREATE);

        CheckpointStore reopened = new CheckpointStore(dir.resolve("exp"));
        CheckpointStore.Saved saved = reopened.latest().orElseThrow();
        assertEquals(2, saved.round());
        assertTrue(TestEnv.bitwiseEqual(params(2), saved.global()));
        assertEquals(1, reopened.skipped().size());
        assertTrue(reopened.skipped().get(0).contains("round-000004") && reopened.skipped().get(0).contains(
                "not finished"), reopened.skipped().toString());

        // a checkpoint whose parameter file lost bytes after it was written is skipped too
        TestEnv.deleteTree(torn);
        Path second = reopened.commit(prepared);
        byte[] global = Files.readAllBytes(second.resolve("global.fps"));
        Files.write(second.resolve("global.fps"), java.util.Arrays.copyOf(global, global.length - 1));
        CheckpointStore.Saved fallback = reopened.latest().orElseThrow();
        assertEquals(2, fallback.round());
        assertTrue(reopened.skipped().get(0).contains("the manifest says"), reopened.skipped().toString());
        assertFalse(Files.exists(prepared), "the prepared directory was renamed");
    }
}
