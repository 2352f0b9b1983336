import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * Encode/decode throughput of org.fedfms.wire for FedMSA-sized (11.2 M) and FedSAM-sized (93.7 M)
 * parameter sets as fp32, fp16 and bf16, against two baselines measured in the same run and
 * interleaved with the codec runs:
 * <ul>
 * <li>raw: the fp32 bytes moved between a file and one preallocated direct ByteBuffer by a
 * FileChannel (pure data movement);
 * <li>plain: the fp32 values moved between the float[] tensors and a file through a FileChannel and a
 * 256 KiB direct ByteBuffer, new float[] per tensor on read (a minimal hand-written fp32 dump: no
 * header, checksum or limits).
 * </ul>
 * Run by releng/bench/wire.
 */
public class WireBench {

    private static final int CHUNK = 256 * 1024;

    interface Task {
        void run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("wirebench");
        try {
            System.out.printf("wire codec benchmark: median of %d interleaved runs (after one warm-up run); "
                    + "GB/s = fp32 parameter bytes / time%n", runs);
            for (long n : new long[] {11_159_268L, 93_735_472L}) {
                bench(n, runs, dir);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** Adapter-shaped tensors (768x192, 192, 192x768, 768), then 1024x1024 blocks and a remainder. */
    private static ParameterSet parameters(long n) {
        Random rnd = new Random(n);
        ParameterSet.Builder b = ParameterSet.builder();
        long left = n;
        int[][] adapter = {{768, 192}, {192}, {192, 768}, {768}};
        for (int i = 0; left > 0; i++) {
            int[] shape = i < 96 ? adapter[i % 4] : left >= 1 << 20 ? new int[] {1024, 1024} : new int[] {(int) left};
            Tensor t = Tensor.zeros("p" + i, shape);
            float[] v = t.values();
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (rnd.nextGaussian() * 0.02);
            }
            b.add(t);
            left -= v.length;
        }
        return b.build();
    }

    private static void bench(long n, int runs, Path dir) throws IOException {
        ParameterSet p = parameters(n);
        WireMessage m = WireMessage.update("bench", 1, "site-a", 100, Metrics.of("loss", 0.5), p);
        long fp32Bytes = p.sizeInBytes();
        System.out.printf("%n%,d parameters in %d tensors (%.1f MB as fp32)%n", p.parameterCount(), p.tensorCount(),
                fp32Bytes / 1e6);

        Map<String, Task> tasks = new LinkedHashMap<>();
        Path raw = dir.resolve("raw.bin");
        ByteBuffer whole = ByteBuffer.allocateDirect((int) fp32Bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : p.tensors()) {
            whole.asFloatBuffer().put(t.values());
            whole.position(whole.position() + t.size() * 4);
        }
        tasks.put("raw write", () -> {
            whole.clear();
            try (FileChannel fc = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (whole.hasRemaining()) {
                    fc.write(whole);
                }
            }
        });
        tasks.put("raw read", () -> {
            whole.clear();
            try (FileChannel fc = FileChannel.open(raw, StandardOpenOption.READ)) {
                while (whole.hasRemaining() && fc.read(whole) >= 0) {
                }
            }
        });
        Path plain = dir.resolve("plain.bin");
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        tasks.put("plain write", () -> {
            try (FileChannel fc = FileChannel.open(plain, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (Tensor t : p.tensors()) {
                    float[] v = t.values();
                    for (int off = 0; off < v.length; ) {
                        chunk.clear();
                        int k = Math.min(v.length - off, CHUNK / 4);
                        chunk.asFloatBuffer().put(v, off, k);
                        chunk.limit(k * 4);
                        while (chunk.hasRemaining()) {
                            fc.write(chunk);
                        }
                        off += k;
                    }
                }
            }
        });
        tasks.put("plain read", () -> {
            List<float[]> got = new ArrayList<>();
            try (FileChannel fc = FileChannel.open(plain, StandardOpenOption.READ)) {
                for (Tensor t : p.tensors()) {
                    float[] v = new float[t.size()];
                    for (int off = 0; off < v.length; ) {
                        chunk.clear();
                        int k = Math.min(v.length - off, CHUNK / 4);
                        chunk.limit(k * 4);
                        while (chunk.hasRemaining()) {
                            if (fc.read(chunk) < 0) {
                                throw new IOException("plain file too short");
                            }
                        }
                        chunk.flip();
                        chunk.asFloatBuffer().get(v, off, k);
                        off += k;
                    }
                    got.add(v);
                }
            }
            if (got.get(0)[7] != p.tensors().iterator().next().values()[7]) {
                throw new IllegalStateException("plain read differs");
            }
        });
        Map<WireDtype, byte[]> inMemory = new LinkedHashMap<>();
        for (WireDtype d : WireDtype.values()) {
            WireEncoder enc = WireEncoder.of(d);
            WireDecoder dec = WireDecoder.withDefaults();
            Path file = dir.resolve(d + ".bin");
            tasks.put(d + " encode", () -> {
                try (OutputStream out = new FileOutputStream(file.toFile())) {
                    enc.encode(m, out);
                }
            });
            tasks.put(d + " decode", () -> {
                try (InputStream in = new FileInputStream(file.toFile())) {
                    check(dec.decode(in), p, d);
                }
            });
            tasks.put(d + " encode (memory)", () -> enc.encode(m, OutputStream.nullOutputStream()));
            tasks.put(d + " decode (memory)", () -> check(dec.decode(new ByteArrayInputStream(inMemory.get(d))), p, d));
        }

        Map<String, double[]> times = new LinkedHashMap<>();
        tasks.keySet().forEach(k -> times.put(k, new double[runs]));
        for (int r = -1; r < runs; r++) {
            for (Map.Entry<String, Task> e : tasks.entrySet()) {
                if (e.getKey().endsWith("(memory)") && !inMemory.containsKey(dtypeOf(e.getKey()))) {
                    WireDtype d = dtypeOf(e.getKey());
                    inMemory.put(d, Files.readAllBytes(dir.resolve(d + ".bin")));
                }
                long start = System.nanoTime();
                e.getValue().run();
                double s = (System.nanoTime() - start) / 1e9;
                if (r >= 0) {
                    times.get(e.getKey())[r] = s;
                }
            }
        }
        Map<String, Double> med = new LinkedHashMap<>();
        times.forEach((k, v) -> med.put(k, median(v)));

        double gb = fp32Bytes / 1e9;
        System.out.printf("  baselines: raw write %.2f GB/s, raw read %.2f GB/s; plain write %.2f GB/s, plain read "
                + "%.2f GB/s%n", gb / med.get("raw write"), gb / med.get("raw read"), gb / med.get("plain write"),
                gb / med.get("plain read"));
        System.out.printf("  %-5s %14s | %9s %7s %7s | %9s %7s %7s | %9s %9s%n", "dtype", "message bytes",
                "enc GB/s", "/raw", "/plain", "dec GB/s", "/raw", "/plain", "mem enc", "mem dec");
        for (WireDtype d : WireDtype.values()) {
            double enc = med.get(d + " encode");
            double dec = med.get(d + " decode");
            System.out.printf("  %-5s %,14d | %9.2f %7.2f %7.2f | %9.2f %7.2f %7.2f | %9.2f %9.2f%n", d,
                    WireEncoder.of(d).encodedSize(m), gb / enc, enc / med.get("raw write"), enc / med.get("plain write"),
                    gb / dec, dec / med.get("raw read"), dec / med.get("plain read"),
                    gb / med.get(d + " encode (memory)"), gb / med.get(d + " decode (memory)"));
        }
        System.out.println("  (/raw, /plain: codec time over baseline time, lower is better; mem: to a null stream"
                + " and from a byte array, no file)");
    }

    private static WireDtype dtypeOf(String task) {
        return WireDtype.valueOf(task.substring(0, task.indexOf(' ')));
    }

    private static void check(WireMessage got, ParameterSet p, WireDtype d) {
        Tensor first = p.tensors().iterator().next();
        float want = d.roundTrip(first.values()[7]);
        float have = got.parameters().get(first.name()).values()[7];
        if (Float.compare(want, have) != 0 || got.parameters().parameterCount() != p.parameterCount()) {
            throw new IllegalStateException("decoded message differs from the original");
        }
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
