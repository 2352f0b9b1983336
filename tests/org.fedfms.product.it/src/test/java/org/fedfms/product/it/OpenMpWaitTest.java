package org.fedfms.product.it;

import static org.fedfms.product.it.ProductProcess.product;
import static org.fedfms.product.it.ProductProcess.workDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * How the product's OpenMP threads wait, as libtorch's libgomp reports it ({@code OMP_DISPLAY_ENV=VERBOSE} prints
 * the settings it read when it was loaded): they spin briefly by default, and a policy the user sets stays.
 */
class OpenMpWaitTest {

    /** Runs {@code fedfms exec} on a command that loads the engine, with {@code policy} (or none); its output. */
    private static String loadWeights(String what, String policy) throws Exception {
        Path root = workDirectory("openmp-" + what);
        Path weights = product().resolve("weights/sam-tiny-pretrained.pth");
        ProcessBuilder pb = new ProcessBuilder(product().resolve("fedfms").toString(), "exec",
                "fedfms:load-weights sam-tiny " + weights);
        Map<String, String> env = pb.environment();
        env.remove("OMP_WAIT_POLICY");
        env.remove("GOMP_SPINCOUNT");
        if (policy != null) {
            env.put("OMP_WAIT_POLICY", policy);
        }
        env.put("OMP_DISPLAY_ENV", "VERBOSE");
        env.put("FEDFMS_HOME", root.toString());
        env.put("FEDFMS_THREADS", "2");
        env.put("FEDFMS_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        pb.redirectErrorStream(true);
        Path log = root.resolve("exec.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "fedfms exec finished");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("tensors loaded"), "the weights were loaded:\n" + out);
        return out;
    }

    @Test
    void idleThreadsSpinBrieflyByDefault() throws Exception {
        String out = loadWeights("default", null);
        assertTrue(out.contains("GOMP_SPINCOUNT = '30000'"), "libgomp's settings:\n" + out);
    }

    @Test
    void aPassivePolicySetByTheUserStays() throws Exception {
        String out = loadWeights("passive", "PASSIVE");
        assertTrue(out.contains("GOMP_SPINCOUNT = '0'"), "libgomp's settings:\n" + out);
    }
}
