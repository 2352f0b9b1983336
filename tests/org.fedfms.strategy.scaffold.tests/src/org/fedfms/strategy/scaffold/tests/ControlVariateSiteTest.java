package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.ControlVariateSite;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.SiteStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's side of SCAFFOLD on hand-computed values: the correction its trainer gets, the variate change it
 * sends, and its own variate kept in files between rounds, read again after a restart or a repeated round.
 */
class ControlVariateSiteTest {

    @TempDir
    Path dir;

    private static ParameterSet w(double v) {
        return ParameterSet.builder().add("w", new int[] {1}, new float[] {(float) v}).build();
    }

    private static float value(ParameterSet p, String name) {
        return p.get(name).values()[0];
    }

    /** A trainer that records the correction it is given and returns model {@code y}, mean gradient {@code g}. */
    private static ControlVariateSite.Training trainer(List<Float> corrections, double y, double g) {
        return start -> {
            corrections.add(value(start, "scaffold.c/w"));
            return new FitResult("s1", ControlVariates.with(w(y), w(g)), 8, Metrics.of("steps", 4));
        };
    }

    private SiteStateStore store() {
        return new SiteStateStore(dir.resolve("site-state").resolve("s1"), ControlVariateSite.KIND);
    }

    /*
     * Round 1: c = 0.5, c_i = 0 -> correction 0.5; g = 2 -> dc = g − c = 1.5, c_i = 1.5.
     * Round 2: c = 0.25 -> correction 0.25 − 1.5 = −1.25; g = 1 -> dc = 0.75, c_i = 2.25.
     * Round 2 again (resume from the checkpoint of round 1, new store object): the same correction, −1.25.
     */
    @Test
    void theSiteCorrectsByCMinusItsVariateAndKeepsItsVariateBetweenRounds() throws Exception {
        List<Float> seen = new ArrayList<>();
        FitResult r1 = ControlVariateSite.fit("s1", 1, ControlVariates.with(w(1), w(0.5)), store(),
                trainer(seen, 0.6, 2));
        assertEquals(0.5f, seen.get(0), 1e-6f);
        assertEquals(0.6f, value(r1.parameters(), "w"), 1e-6f);
        assertEquals(1.5f, value(r1.parameters(), "scaffold.c/w"), 1e-6f);
        assertEquals(8, r1.sampleCount());
        assertEquals(1.5f, value(store().before(2).orElseThrow().tensors(), "w"), 1e-6f);

        FitResult r2 = ControlVariateSite.fit("s1", 2, ControlVariates.with(w(0.6), w(0.25)), store(),
                trainer(seen, 0.7, 1));
        assertEquals(-1.25f, seen.get(1), 1e-6f);
        assertEquals(0.75f, value(r2.parameters(), "scaffold.c/w"), 1e-6f);
        assertEquals(2.25f, value(store().before(3).orElseThrow().tensors(), "w"), 1e-6f);

        ControlVariateSite.fit("s1", 2, ControlVariates.with(w(0.6), w(0.25)), store(), trainer(seen, 0.7, 1));
        assertEquals(-1.25f, seen.get(2), 1e-6f, "a repeated round starts from the variate of the round before");

        ControlVariateSite.fit("s1", 3, ControlVariates.with(w(0.7), w(0)), store(), trainer(seen, 0.7, 1));
        try (Stream<Path> files = Files.list(store().directory())) {
            assertEquals(List.of("variate-000002.bin", "variate-000003.bin"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "the two latest are kept");
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store().directory())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                store().directory().resolve("variate-000003.bin"))));
    }

    @Test
    void aRoundWithoutVariatesGoesToTheTrainerUntouchedAndKeepsNothing() throws Exception {
        ParameterSet plain = w(1);
        FitResult r = ControlVariateSite.fit("s1", 1, plain, store(), start -> {
            assertSame(plain, start);
            return new FitResult("s1", w(2), 3, Metrics.empty());
        });
        assertEquals(List.of("w"), r.parameters().names());
        assertTrue(Files.notExists(store().directory()));
    }

    @Test
    void aDamagedVariateFileIsReportedWithItsPathAndNothingIsTrained() throws Exception {
        List<Float> seen = new ArrayList<>();
        ControlVariateSite.fit("s1", 1, ControlVariates.with(w(1), w(0.5)), store(), trainer(seen, 0.6, 2));
        Path f = store().directory().resolve("variate-000001.bin");
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40;
        Files.write(f, b);
        IOException e = assertThrows(IOException.class, () -> ControlVariateSite.fit("s1", 2,
                ControlVariates.with(w(1), w(0.5)), store(), trainer(seen, 0.6, 2)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("damaged"), e.getMessage());
        assertEquals(1, seen.size(), "the trainer was not called");
    }

    @Test
    void aTrainerWithoutTheHookIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ControlVariateSite.fit("s1", 1,
                ControlVariates.with(w(1), w(0.5)), store(), start -> new FitResult("s1", w(2), 3, Metrics.empty())));
        assertTrue(e.getMessage().contains("site 's1'") && e.getMessage().contains("does not support SCAFFOLD"),
                e.getMessage());
    }

    @Test
    void folderNamesSentByOthersStayInsideTheirFolder() {
        assertEquals("site-1", SiteStateStore.folderName("site-1"));
        for (String bad : List.of("..", "../x", "a/b", "/etc", "x y", "")) {
            String f = SiteStateStore.folderName(bad);
            assertTrue(f.matches("[A-Za-z0-9][A-Za-z0-9._-]*") && !f.contains(".."), bad + " -> " + f);
        }
        assertTrue(!SiteStateStore.folderName("a/b").equals(SiteStateStore.folderName("a_b")));
    }
}
