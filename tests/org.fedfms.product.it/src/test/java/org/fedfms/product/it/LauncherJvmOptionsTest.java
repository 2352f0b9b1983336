package org.fedfms.product.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The product's launcher script ({@code features/org.fedfms.core.feature/rootfiles/fedfms}, shipped as
 * {@code fedfms}) as it starts the JVM: it is run from an installation layout whose {@code java} records the
 * command line and the umask it was started with, so the JVM line of each mode is read without building the
 * product. (StartFailureTest reads the same line from a running coordinator of the built product.)
 */
class LauncherJvmOptionsTest {

    private static Path launcher() {
        return Path.of(System.getProperty("fedfms.launcher", "../../features/org.fedfms.core.feature/rootfiles/fedfms"))
                .toAbsolutePath().normalize();
    }

    /** Runs {@code fedfms MODE --config FILE} from a fresh layout; returns the recorded umask and JVM arguments. */
    private static List<String> run(String mode, String extraJavaOptions) throws Exception {
        Path root = Path.of(System.getProperty("fedfms.it.dir", "target/it")).toAbsolutePath()
                .resolve("launcher-" + mode + "-" + System.nanoTime());
        Path home = Files.createDirectories(root.resolve("fedfms-server"));
        Files.copy(launcher(), home.resolve("fedfms"));
        Files.setPosixFilePermissions(home.resolve("fedfms"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(home.resolve("plugins"));
        Files.writeString(home.resolve("plugins/org.eclipse.equinox.launcher_1.7.100.jar"), "");
        Files.createDirectories(home.resolve("configuration"));
        Path java = Files.createDirectories(root.resolve("jdk/bin")).resolve("java");
        Path recorded = root.resolve("java-command-line.txt");
        Files.writeString(java, "#!/usr/bin/env bash\n{ umask; printf '%s\\n' \"$@\"; } > \"" + recorded + "\"\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = root.resolve(mode + ".properties");
        Files.writeString(config, "# not read: the recording java stands in for the JVM\n");

        ProcessBuilder pb = new ProcessBuilder(home.resolve("fedfms").toString(), mode, "--config", config.toString());
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        pb.environment().put("FEDFMS_JAVA_OPTS", extraJavaOptions);
        pb.environment().put("TMPDIR", root.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(root.resolve("launcher.log").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        assertEquals(0, p.exitValue(), Files.readString(root.resolve("launcher.log")));
        return Files.readAllLines(recorded, StandardCharsets.UTF_8);
    }

    @Test
    void theCoordinatorJvmExitsOnOutOfMemory() throws Exception {
        List<String> line = run("coordinator", "-Xmx2g");
        List<String> jvm = line.subList(1, line.indexOf("-jar"));
        assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"), "coordinator JVM options: " + jvm);
        assertTrue(jvm.contains("-Dfedfms.exitOnStartFailure=true"), "an invalid configuration exits: " + jvm);
        assertTrue(jvm.contains("-XX:+UseG1GC"), "the coordinator's collector: " + jvm);
        assertTrue(jvm.contains("-Xmx2g"), "FEDFMS_JAVA_OPTS are passed on: " + jvm);
        assertEquals("0077", line.get(0), "the coordinator runs with umask 077");
    }

    @Test
    void aCollectorChosenInTheOptionsReplacesTheCoordinatorsButTheOutOfMemoryExitStays() throws Exception {
        List<String> line = run("coordinator", "-XX:+UseSerialGC");
        assertTrue(line.contains("-XX:+ExitOnOutOfMemoryError"), line.toString());
        assertTrue(line.contains("-XX:+UseSerialGC"), line.toString());
        assertFalse(line.contains("-XX:+UseG1GC"), line.toString());
    }

    @Test
    void aSiteAgentIsNotToldToExitOnOutOfMemory() throws Exception {
        List<String> line = run("site", "");
        assertFalse(line.contains("-XX:+ExitOnOutOfMemoryError"), "site JVM: " + line);
        assertTrue(line.contains("-Dfedfms.exitOnStartFailure=true"), line.toString());
        assertEquals("0077", line.get(0), "the site agent runs with umask 077");
    }
}
