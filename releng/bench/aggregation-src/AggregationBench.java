import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.strategy.fedavg.FedAvgStrategy;
import org.fedfms.strategy.fedopt.FedAdamStrategy;
import org.fedfms.strategy.trimmedmean.TrimmedMeanStrategy;

/**
 * Aggregates SITES site models of a layout (one tensor per line: name and dims) with the real strategy
 * classes, the way the federation calls them (beginRound, accept per site, finish), and prints for each
 * strategy the input read rate, its ratio to System.arraycopy over the same bytes and to the NumPy
 * baseline's time, and the heap it needed beyond the inputs. Times are the best of REPS, in CPU time of
 * the aggregating thread.
 *
 * <p>Args: LAYOUT CASE SITES REPS NUMPY_SECONDS NUMPY_CHECKSUM
 */
public final class AggregationBench {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of this thread in ns: on a shared machine wall time would mostly measure the neighbours. */
    private static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    public static void main(String[] args) throws Exception {
        List<Spec> layout = readLayout(Path.of(args[0]));
        String label = args[1];
        int sites = Integer.parseInt(args[2]);
        int reps = Integer.parseInt(args[3]);
        double numpySeconds = Double.parseDouble(args[4]);
        double numpyChecksum = Double.parseDouble(args[5]);

        ParameterSet global = fill(layout, 99);
        List<FitResult> results = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            results.add(new FitResult("site-" + s, fill(layout, s), 100 + 37L * s, Metrics.empty()));
        }
        long modelBytes = global.sizeInBytes();
        long inputBytes = modelBytes * sites;
        System.out.printf(Locale.ROOT, "%s: %d sites x %,d fp32 parameters in %d tensors (%.1f MB per model)%n",
                label, sites, global.parameterCount(), layout.size(), modelBytes / 1e6);

        Map<String, Map<String, ?>> settings = new LinkedHashMap<>();
        settings.put("fedavg", Map.of());
        settings.put("fedadam", Map.of());
        settings.put("trimmedmean", Map.of("beta", 0.25));
        Map<String, Double> best = new LinkedHashMap<>();
        Map<String, Long> extraHeap = new LinkedHashMap<>();
        double fedavgChecksum = 0;
        gc();
        long inputsHeld = MEMORY.getHeapMemoryUsage().getUsed();
        List<float[]> copyTarget = new ArrayList<>();
        global.tensors().forEach(t -> copyTarget.add(new float[t.size()]));
        System.out.printf(Locale.ROOT, "  heap held by the %d inputs and the global model: %.0f MB (%.2f models each, "
                + "G1 rounds large arrays up to whole regions)%n", sites, inputsHeld / 1e6,
                inputsHeld / (double) modelBytes / (sites + 1));
        // timing: one session per strategy (state carried over rounds); every round measures the copy
        // baseline, the validation and each strategy in turn, so that all see the same machine load
        Map<String, StrategySession> sessions = new LinkedHashMap<>();
        settings.forEach((id, s) -> sessions.put(id, strategy(id).open(s, StrategyContext.none())));
        for (int r = 1; r <= reps; r++) {
            best.merge("copy", copySeconds(global, results, copyTarget), Math::min);
            long c0 = cpuNanos();
            results.forEach(fr -> UpdateCheck.check(global, fr));
            best.merge("check", (cpuNanos() - c0) / 1e9, Math::min);
            for (Map.Entry<String, StrategySession> e : sessions.entrySet()) {
                long t0 = cpuNanos();
                ParameterSet out = aggregate(e.getValue(), r, global, results);
                best.merge(e.getKey(), (cpuNanos() - t0) / 1e9, Math::min);
                if (e.getKey().equals("fedavg")) {
                    fedavgChecksum = checksum(out);
                }
            }
        }
        sessions.clear();
        copyTarget.clear();

        // memory: each strategy alone, from opening its session through two rounds (its state included)
        for (Map.Entry<String, Map<String, ?>> e : settings.entrySet()) {
            gc();
            long base = MEMORY.getHeapMemoryUsage().getUsed();
            StrategySession session = strategy(e.getKey()).open(e.getValue(), StrategyContext.none());
            PeakSampler sampler = new PeakSampler();
            for (int r = 1; r <= 2; r++) {
                aggregate(session, r, global, results);
                gc(); // the round's result is dropped, as the federation drops the previous global model
            }
            extraHeap.put(e.getKey(), sampler.stop() - base);
            session = null;
        }

        double copySeconds = best.get("copy");
        System.out.printf(Locale.ROOT, "  %-24s %8.1f ms  %6.2f GB/s  (System.arraycopy of every site into one model)%n",
                "copy", copySeconds * 1e3, inputBytes / copySeconds / 1e9);
        System.out.printf(Locale.ROOT, "  %-24s %8.1f ms  %6.2f GB/s  (Flower's aggregate(), separate process)%n",
                "numpy fedavg", numpySeconds * 1e3, inputBytes / numpySeconds / 1e9);
        double check = best.get("check");
        System.out.printf(Locale.ROOT, "  %-24s %8.1f ms  %6.2f GB/s  (UpdateCheck of every site, part of each "
                + "strategy's accept: %.0f %% of copy)%n", "validation only", check * 1e3, inputBytes / check / 1e9,
                100 * copySeconds / check);
        System.out.printf(Locale.ROOT, "  %-24s %8s  %11s  %7s  %8s  %s%n", "strategy", "time", "input read",
                "vs copy", "vs numpy", "peak heap beyond inputs and global");
        for (Map.Entry<String, Map<String, ?>> e : settings.entrySet()) {
            double t = best.get(e.getKey());
            long extra = extraHeap.get(e.getKey());
            String name = e.getKey() + (e.getValue().isEmpty() ? "" : " " + e.getValue());
            System.out.printf(Locale.ROOT, "  %-24s %8.1f ms  %6.2f GB/s  %6.0f %%  %7.2fx  %.2f models (%.0f MB)%n",
                    name, t * 1e3, inputBytes / t / 1e9, 100 * copySeconds / t, numpySeconds / t,
                    extra / (double) modelBytes, extra / 1e6);
        }
        double rel = Math.abs(fedavgChecksum - numpyChecksum) / Math.max(1e-12, Math.abs(numpyChecksum));
        System.out.printf(Locale.ROOT, "  fedavg vs numpy: sum of squares %.9e vs %.9e, relative difference %.1e (%s)%n",
                fedavgChecksum, numpyChecksum, rel, rel < 1e-6 ? "same result" : "DIFFERENT");
        double fedavg = best.get("fedavg");
        double memory = extraHeap.get("fedavg") / (double) modelBytes;
        System.out.printf(Locale.ROOT, "  goals for fedavg: >= 60 %% of copy: %s; >= 2x numpy: %s; <= 2.5 models: %s%n",
                copySeconds / fedavg >= 0.6 ? "met" : "NOT met", numpySeconds / fedavg >= 2 ? "met" : "NOT met",
                memory <= 2.5 ? "met" : "NOT met");
    }

    /** One round as the federation runs it. */
    private static ParameterSet aggregate(StrategySession session, int round, ParameterSet global,
            List<FitResult> results) {
        RoundAggregator agg = session.beginRound(round, global);
        for (FitResult fr : results) {
            agg.accept(fr);
        }
        return agg.finish(List.of());
    }

    private static AggregationStrategy strategy(String id) {
        return switch (id) {
            case "fedavg" -> new FedAvgStrategy();
            case "fedadam" -> new FedAdamStrategy();
            case "trimmedmean" -> new TrimmedMeanStrategy();
            default -> throw new IllegalArgumentException(id);
        };
    }

    /** Samples the heap's used bytes every millisecond until stopped; returns the largest seen. */
    private static final class PeakSampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong(MEMORY.getHeapMemoryUsage().getUsed());
        private final Thread thread;

        PeakSampler() {
            thread = new Thread(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        long stop() throws InterruptedException {
            peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
            running.set(false);
            thread.join();
            return peak.get();
        }
    }

    private static double copySeconds(ParameterSet global, List<FitResult> results, List<float[]> target) {
        long t0 = cpuNanos();
        for (FitResult fr : results) {
            int i = 0;
            for (Tensor t : global.tensors()) {
                float[] src = fr.parameters().get(t.name()).values();
                System.arraycopy(src, 0, target.get(i++), 0, src.length);
            }
        }
        return (cpuNanos() - t0) / 1e9;
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    private static double checksum(ParameterSet p) {
        double s = 0;
        for (Tensor t : p.tensors()) {
            for (float v : t.values()) {
                s += (double) v * v;
            }
        }
        return s;
    }

    /** Same values as numpy_fedavg.site_arrays. */
    private static ParameterSet fill(List<Spec> layout, int site) {
        ParameterSet.Builder b = ParameterSet.builder();
        long base = 0;
        for (Spec t : layout) {
            float[] x = new float[t.size()];
            for (int k = 0; k < x.length; k++) {
                long r = ((base + k) * 2654435761L + site * 40503L) & 0xFFFF;
                x[k] = r / 65536f - 0.5f;
            }
            base += x.length;
            b.add(Tensor.of(t.name(), t.shape(), x));
        }
        return b.build();
    }

    /** One line of the layout file. */
    private record Spec(String name, int[] shape) {
        int size() {
            return Arrays.stream(shape).reduce(1, (a, c) -> a * c);
        }
    }

    private static List<Spec> readLayout(Path file) throws IOException {
        List<Spec> layout = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] p = line.trim().split("\\s+");
            if (p.length < 2) {
                continue;
            }
            int[] shape = Arrays.stream(p, 1, p.length).mapToInt(Integer::parseInt).toArray();
            layout.add(new Spec(p[0], shape));
        }
        return layout;
    }
}
