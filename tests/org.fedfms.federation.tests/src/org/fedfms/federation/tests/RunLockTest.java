package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run is owned by one process at a time: while it runs, its process holds an OS lock on
 * {@code .locks/NAME.lock} in the experiments directory and names its pid and host in {@code .locks/NAME.owner}; another process holding that lock (here a second JVM that
 * takes it as a FedFMS process would) makes the experiment "running elsewhere": it is shown so, cannot be run,
 * removed or resumed here, and an interrupted run it owns does not go on by itself; once that process is gone
 * (killed: the OS drops its lock) the experiment is this process's again.
 */
class RunLockTest extends OnTestEnv {

    private static Path lock(FederationService f, String name) {
        return f.experimentsDirectory().resolve(".locks").resolve(name + ".lock");
    }

    private static Path owner(Path lock) {
        String name = lock.getFileName().toString();
        return lock.resolveSibling(name.substring(0, name.length() - ".lock".length()) + ".owner");
    }

    /**
     * A second process: locks the lock file it is given, writes its owner line to the owner file, says "locked"
     * and waits to be killed; says "busy" and ends if the lock is taken.
     */
    private static final String LOCKER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.*;
            public class Locker {
                public static void main(String[] a) throws Exception {
                    Path f = Path.of(a[0]);
                    Files.createDirectories(f.getParent());
                    FileChannel c = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    if (c.tryLock() == null) { System.out.println("busy"); return; }
                    Files.writeString(Path.of(a[1]), "process " + ProcessHandle.current().pid()
                            + " on lockerhost since 2026-12-07T00:00:00Z\\n");
                    System.out.println("locked");
                    Thread.sleep(600_000);
                }
            }
            """;

    private Process locker;

    /** Before the environment closes (and starts the federation bundle again, if stopped). */
    @AfterEach
    void stopLocker() throws Exception {
        if (locker != null) {
            locker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts the locker process on {@code file}; returns its pid once it holds the lock. */
    private long lockElsewhere(Path file) throws Exception {
        Path source = Files.createTempDirectory("fedfms-locker").resolve("Locker.java");
        Files.writeString(source, LOCKER, StandardCharsets.UTF_8);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        locker = new ProcessBuilder(java.toString(), source.toString(), file.toString(), owner(file).toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(locker.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("locked", line, "the locker process holds the lock");
        return locker.pid();
    }

    private static Path root(Path lock) {
        return lock.getParent();
    }

    @Test
    void aRunOwnedByAnotherProcessIsShownRunningElsewhereAndIsNotRunHere() throws Exception {
        FederationService f = env.fresh("locked-elsewhere");
        f.create(TestEnv.spec("locked-elsewhere").rounds(3).build());
        long pid = lockElsewhere(lock(f, "locked-elsewhere"));

        var shown = f.status("locked-elsewhere");
        assertEquals(State.RUNNING, shown.state(), shown.toString());
        assertTrue(shown.message().contains("running elsewhere: process " + pid + " on lockerhost"), shown.message());
        FederationException refused = assertThrows(FederationException.class, () -> f.runRound("locked-elsewhere"));
        assertTrue(refused.getMessage().contains("is running elsewhere: process " + pid), refused.getMessage());
        assertThrows(FederationException.class, () -> f.start("locked-elsewhere"));
        FederationException kept = assertThrows(FederationException.class, () -> f.remove("locked-elsewhere", true));
        assertTrue(kept.getMessage().contains("running elsewhere"), kept.getMessage());
        assertEquals(0, f.status("locked-elsewhere").completedRounds());

        locker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertEquals(State.READY, f.status("locked-elsewhere").state(), "the lock went with the process");
        f.runRound("locked-elsewhere");
        assertEquals(1, f.status("locked-elsewhere").completedRounds());
        assertFalse(Files.exists(owner(lock(f, "locked-elsewhere"))), "released after the round: no owner left");
    }

    @Test
    void whileThisProcessRunsTheLockNamesItAndAnotherProcessCannotTakeIt() throws Exception {
        FederationService f = env.fresh("locked-here");
        f.create(TestEnv.spec("locked-here").rounds(50).trainerOptions(Map.of("fitDelayMillis", 100)).build());
        Path lock = lock(f, "locked-here");
        f.start("locked-here");
        TestEnv.awaitTrue(() -> f.status("locked-here").completedRounds() >= 1, "a round of locked-here");
        String owner = Files.readString(owner(lock), StandardCharsets.UTF_8);
        assertTrue(owner.startsWith("process " + ProcessHandle.current().pid() + " on "), owner);
        Path source = Files.createTempDirectory("fedfms-locker").resolve("Locker.java");
        Files.writeString(source, LOCKER, StandardCharsets.UTF_8);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), lock.toString(), root(lock).resolve("other.owner").toString())
                .redirectErrorStream(true).start();
        String said = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(other.waitFor(60, TimeUnit.SECONDS));
        assertEquals("busy", said, "another process finds the run owned");
        f.cancel("locked-here");
        TestEnv.awaitTrue(() -> !Files.exists(owner(lock)), "the lock of locked-here released once its run stopped");
    }

    @Test
    void anInterruptedRunOwnedElsewhereDoesNotGoOnByItself() throws Exception {
        FederationService f = env.fresh("resumed-elsewhere");
        f.create(TestEnv.spec("resumed-elsewhere").rounds(4).build());
        f.runRound("resumed-elsewhere");
        Path dir = f.experimentsDirectory().resolve("resumed-elsewhere");
        env.bundle("org.fedfms.federation").stop();
        Files.writeString(dir.resolve("run.json"), "{\"untilRound\": 4}\n", StandardCharsets.UTF_8);
        long pid = lockElsewhere(lock(f, "resumed-elsewhere"));
        env.bundle("org.fedfms.federation").start();
        FederationService g = env.federation();
        Thread.sleep(2_500);
        var s = g.status("resumed-elsewhere");
        assertEquals(1, s.completedRounds(), "not resumed here: " + s);
        assertTrue(s.message().contains("running elsewhere: process " + pid), s.message());
    }
}
