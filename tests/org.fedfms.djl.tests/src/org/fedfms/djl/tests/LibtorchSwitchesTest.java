package org.fedfms.djl.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.djl.internal.LoadedLibraries;
import org.fedfms.djl.internal.OpenMp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/** What the runtime sets in the libtorch it loads, read back from that library. */
@EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "x86_64"})
class LibtorchSwitchesTest extends OnTorchRuntime {

    private static NativeLibrary libtorch;

    @BeforeAll
    static void findLibtorch() throws IOException {
        runtime.engine();
        Path path = LoadedLibraries.libtorch(LoadedLibraries.mapped())
                .orElseThrow(() -> new AssertionError("libtorch_cpu.so is not mapped into the test JVM"));
        libtorch = LoadedLibraries.open(path);
    }

    /**
     * MKL chooses its kernels by the CPU's features, whoever made the CPU: on an AVX2 machine its code path is not
     * the generic one (0), which it takes on AMD CPUs unless the runtime's vendor shim is loaded first.
     */
    @Test
    void mklTakesTheCodePathOfTheCpusFeatures() throws IOException {
        List<String> flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("flags")).findFirst().map(l -> List.of(l.split("\\s+"))).orElseThrow();
        int codePath = libtorch.getFunction("mkl_serv_cpu_detect").invokeInt(new Object[0]);
        if (flags.contains("avx2")) {
            assertTrue(codePath > 0, "MKL runs its generic kernels (code path 0) on a CPU with AVX2");
        } else {
            assertEquals(0, codePath, "without AVX2 MKL's generic kernels");
        }
    }

    /**
     * Idle OpenMP threads spin briefly before they sleep, unless the user chose: the runtime put {@code GOMP_SPINCOUNT}
     * into the process's environment before libtorch's libgomp read it (the product's integration tests read it back
     * from libgomp itself, with {@code OMP_DISPLAY_ENV}).
     */
    @Test
    void openMpThreadsSpinBrieflyUnlessTheUserChose() {
        NativeLibrary c = NativeLibrary.getInstance("c");
        Pointer value = c.getFunction("getenv").invokePointer(new Object[] {"GOMP_SPINCOUNT"});
        if (System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null) {
            assertEquals("30000", value == null ? null : value.getString(0), "GOMP_SPINCOUNT");
        } else {
            assertEquals(System.getenv("GOMP_SPINCOUNT"), value == null ? null : value.getString(0),
                    "the user's GOMP_SPINCOUNT stays");
        }
    }

    /** Work run alone is one thread wide on this thread only, and the thread gets its width back. */
    @Test
    void workRunAloneIsOneThreadWideOnTheCallingThreadOnly() throws Exception {
        int width = OpenMp.callingThreadWidth();
        int[] inside = new int[2];
        OpenMp.aloneOnCallingThread(() -> {
            inside[0] = OpenMp.callingThreadWidth();
            Thread other = new Thread(() -> inside[1] = OpenMp.callingThreadWidth());
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(1, inside[0], "width inside");
        assertEquals(Runtime.getRuntime().availableProcessors() > 1, inside[1] > 1,
                "another thread keeps its width (" + inside[1] + ")");
        assertEquals(width, OpenMp.callingThreadWidth(), "width restored");
        assertThrows(IllegalStateException.class, () -> OpenMp.aloneOnCallingThread(() -> {
            throw new IllegalStateException("fails");
        }));
        assertEquals(width, OpenMp.callingThreadWidth(), "width restored after a failure");
    }

    /** NNPACK is off (libtorch warns at every convolution where it cannot start). */
    @Test
    void nnpackIsOff() {
        Pointer context = libtorch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
        int enabled = libtorch.getFunction("_ZNK2at7Context17userEnabledNNPACKEv").invokeInt(new Object[] {context});
        assertEquals(0, enabled & 0xff, "at::globalContext().userEnabledNNPACK()");
    }
}
