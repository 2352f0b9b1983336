package org.fedfms.djl.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * The OpenMP runtime under libtorch (GNU libgomp): how its idle threads wait, and work kept on the calling thread.
 *
 * <p><b>Waiting.</b> libtorch, its MKL and its oneDNN open an OpenMP parallel region for each operation they share
 * between threads: a sam-tiny training step on two threads opened about 480 (counted by interposing
 * {@code GOMP_parallel}; about 320 once {@link org.fedfms.djl.MultiTensorAdam} kept small weights on one thread). Told
 * to wait passively ({@code OMP_WAIT_POLICY=PASSIVE}) the other threads sleep after each region, and every region
 * then wakes them through the kernel: on a 2-core virtual machine that made the step about a third slower than with
 * one thread, some 25 microseconds a region, more than many of those regions compute. Left to libgomp's default
 * they spin for about 3 ms each time, taking cores from other processes. So, before libtorch loads,
 * {@link #spinBrieflyUnlessChosen()} sets {@code GOMP_SPINCOUNT} to {@value #SPIN_COUNT} (about 0.3 ms of spinning,
 * by libgomp's estimate of 100 000 spins a millisecond): enough to carry a thread from one operation of a step to
 * the next, short enough to free the core soon after the step ends. libgomp spins at most 100 times when it runs
 * more threads than the machine has cores. A policy the user set ({@code OMP_WAIT_POLICY} or
 * {@code GOMP_SPINCOUNT} in the environment) is left as it is.
 *
 * <p><b>Alone.</b> {@link #aloneOnCallingThread} runs work whose parallel regions would cost more than they share
 * (libtorch's fused Adam opens one per weight, however small) with the calling thread's OpenMP team one thread
 * wide; OpenMP keeps that setting per thread, so other threads' work keeps its threads.
 *
 * <p>Linux only (the environment through the C library, libgomp found in {@code /proc/self/maps}); elsewhere, or
 * where libtorch uses another OpenMP runtime, both do nothing more than run the work.
 */
public final class OpenMp {

    /** libgomp spins of a waiting thread before it sleeps, unless the user chose a policy. */
    static final String SPIN_COUNT = "30000";

    private static final Logger LOG = LoggerFactory.getLogger(OpenMp.class);
    private static volatile Functions functions;

    private OpenMp() {
    }

    /**
     * Sets {@code GOMP_SPINCOUNT} in this process's environment unless {@code OMP_WAIT_POLICY} or
     * {@code GOMP_SPINCOUNT} is set. Call before the engine loads libtorch (libgomp reads its environment once, when
     * it is loaded).
     */
    static synchronized void spinBrieflyUnlessChosen() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        try {
            NativeLibrary c = NativeLibrary.getInstance("c");
            Function getenv = c.getFunction("getenv");
            if (getenv.invokePointer(new Object[] {"OMP_WAIT_POLICY"}) != null
                    || getenv.invokePointer(new Object[] {"GOMP_SPINCOUNT"}) != null) {
                return;
            }
            if (c.getFunction("setenv").invokeInt(new Object[] {"GOMP_SPINCOUNT", SPIN_COUNT, 1}) != 0) {
                LOG.warn("could not set GOMP_SPINCOUNT; OpenMP threads keep libgomp's default wait");
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not set GOMP_SPINCOUNT ({}); OpenMP threads keep libgomp's default wait", e.toString());
        }
    }

    /**
     * Finds the libgomp that libtorch loaded, for {@link #aloneOnCallingThread}. Call once the engine has loaded
     * libtorch; until then, and where there is no libgomp, work runs with the threads it has.
     */
    static synchronized void attach() {
        try {
            List<Path> mapped = LoadedLibraries.mapped();
            Optional<Path> libtorch = LoadedLibraries.libtorch(mapped);
            if (libtorch.isEmpty()) {
                return;
            }
            Optional<Path> gomp = LoadedLibraries.libgomp(mapped, libtorch.get().getParent());
            if (gomp.isEmpty()) {
                LOG.info("no GNU OpenMP library in this process (libtorch at {}); small work shares its threads",
                        libtorch.get().getParent());
                return;
            }
            NativeLibrary lib = LoadedLibraries.open(gomp.get());
            functions = new Functions(lib.getFunction("omp_get_max_threads"), lib.getFunction("omp_set_num_threads"));
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("libtorch's OpenMP library not reachable ({}); small work shares its threads", e.toString());
        }
    }

    /**
     * Runs {@code work} with the calling thread's OpenMP parallel regions one thread wide, then restores the thread's
     * width, also when {@code work} throws.
     */
    public static void aloneOnCallingThread(Runnable work) {
        Functions f = functions;
        int width = f == null ? 1 : f.maxThreads();
        if (width <= 1) {
            work.run();
            return;
        }
        f.setThreads(1);
        try {
            work.run();
        } finally {
            f.setThreads(width);
        }
    }

    /** The calling thread's OpenMP width ({@code omp_get_max_threads}), or 1 where libtorch's libgomp is not found. */
    public static int callingThreadWidth() {
        Functions f = functions;
        return f == null ? 1 : f.maxThreads();
    }

    private record Functions(Function getMaxThreads, Function setNumThreads) {

        int maxThreads() {
            return getMaxThreads.invokeInt(new Object[0]);
        }

        void setThreads(int n) {
            setNumThreads.invokeVoid(new Object[] {n});
        }
    }
}
