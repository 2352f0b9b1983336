import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import javax.net.ssl.SSLContext;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.fedfms.server.internal.Coordinator;
import org.fedfms.server.internal.CoordinatorConfig;
import org.fedfms.server.internal.SelfSignedKeystore;
import org.fedfms.server.internal.TokenHash;
import org.fedfms.site.internal.PinnedTrust;
import org.fedfms.strategy.fedavg.FedAvgStrategy;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Coordinator benchmark. The main JVM ("server") runs a real coordinator (org.fedfms.server with the
 * federation engine and fedavg, HTTPS with the self-signed certificate as deployed by default) and a plain
 * Jetty 12 endpoint with the same TLS set-up; a second JVM ("clients") runs N lightweight site clients
 * (no training: each downloads the global model and uploads a prepared update of the real FedMSA SAM
 * ViT-B layout, one HttpClient per site, as a site agent does) against either. Commands go to the
 * clients over their stdin, answers come back on their stdout.
 *
 * <p>Server args: LAYOUT REPS SITES_LIST STRESS_SITES STRESS_ROUNDS CLIENT_JAVA...; the CLIENT_JAVA words
 * start the clients JVM.
 */
public final class CoordinatorBench {

    static final String EXPERIMENT = "coordinator-bench";
    /** Full-GC samples of the live heap taken per site count (about one round of 32 sites). */
    static final long HEAP_SAMPLES = 20;
    static final String ADMIN = "bench-admin-token";

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.SEVERE);
        Arrays.stream(Logger.getLogger("").getHandlers()).forEach(h -> h.setLevel(Level.SEVERE));
        if (args[0].equals("clients")) {
            new Clients(readLayout(Path.of(args[1])), Integer.parseInt(args[2])).serve();
            System.exit(0);
        }
        try {
            server(args);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static String token(String site) {
        return "token-of-" + site;
    }

    static String site(int i) {
        return "site-" + i;
    }

    // ------------------------------------------------------------------------------------------ layout

    record Spec(String name, int[] shape) {
        int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    static List<Spec> readLayout(Path file) throws IOException {
        List<Spec> specs = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 2) {
                continue;
            }
            int[] shape = new int[w.length - 1];
            for (int i = 1; i < w.length; i++) {
                shape[i - 1] = Integer.parseInt(w[i]);
            }
            specs.add(new Spec(w[0], shape));
        }
        return specs;
    }

    /** The small model of the many-sites run: the mask decoder's output upscaling and IoU head (208 k values). */
    static List<Spec> small(List<Spec> layout) {
        return layout.stream().filter(s -> s.name().startsWith("mask_decoder.output_upscaling")
                || s.name().startsWith("mask_decoder.iou_prediction_head") || s.name().equals("mask_decoder.iou_token.weight")
                || s.name().equals("mask_decoder.mask_tokens.weight")).toList();
    }

    /** Values around 0 that differ per site and round (cheap xorshift; the values' distribution does not matter). */
    static ParameterSet fill(List<Spec> layout, long seed) {
        ParameterSet.Builder b = ParameterSet.builder();
        long x = 0x9E3779B97F4A7C15L ^ (seed * 0xD1B54A32D192ED03L);
        for (Spec s : layout) {
            float[] v = new float[s.size()];
            for (int i = 0; i < v.length; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                v[i] = (float) ((x >>> 40) * 0x1p-24 - 0.5) * 0.02f;
            }
            b.add(s.name(), s.shape().clone(), v);
        }
        return b.build();
    }

    static byte[] encode(WireMessage m) throws IOException {
        WireEncoder encoder = WireEncoder.fp32();
        long size = encoder.encodedSize(m);
        byte[] out = new byte[Math.toIntExact(size)];
        int[] at = {0};
        encoder.encode(m, new OutputStream() {
            @Override
            public void write(int b) {
                out[at[0]++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                System.arraycopy(b, off, out, at[0], len);
                at[0] += len;
            }
        });
        if (at[0] != out.length) {
            throw new IllegalStateException("encoded " + at[0] + " bytes, expected " + out.length);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ server side

    static void server(String[] args) throws Exception {
        List<Spec> layout = readLayout(Path.of(args[0]));
        int reps = Integer.parseInt(args[1]);
        int[] siteCounts = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int stressSites = Integer.parseInt(args[3]);
        int stressRounds = Integer.parseInt(args[4]);
        List<String> clientCommand = List.of(args).subList(5, args.length);
        int maxSites = Arrays.stream(siteCounts).max().orElse(1);

        Path work = Files.createTempDirectory("fedfms-coordinator-bench-");
        Path tls = work.resolve("tls");
        String password = SelfSignedKeystore.ensure(tls, "127.0.0.1");
        HeapWatch heap = new HeapWatch();

        FederationService federation = federation(work.resolve("experiments"));
        ParameterSet model = fill(layout, 0);
        long modelBytes = model.sizeInBytes();
        byte[] globalMessage = encode(WireMessage.global(EXPERIMENT, 1, site(0), model));
        model = null;

        Process clients = new ProcessBuilder(clientCommand).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Runtime.getRuntime().addShutdownHook(new Thread(clients::destroyForcibly));
        PrintStream toClients = new PrintStream(clients.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader fromClients = new BufferedReader(new InputStreamReader(clients.getInputStream(),
                StandardCharsets.UTF_8));
        expect(fromClients, "prepared");

        System.out.printf(Locale.ROOT, "model: FedMSA SAM ViT-B, %,d fp32 parameters in %d tensors, %.1f MB per "
                + "message; HTTPS (self-signed certificate, TLS as deployed by default) on 127.0.0.1%n",
                layout.stream().mapToLong(Spec::size).sum(), layout.size(), globalMessage.length / 1e6);
        System.out.println("one round = each site downloads the global model and uploads its update; the plain"
                + " endpoint serves the same bytes and reads and discards the uploads");
        System.out.println();

        Server plain = plainJetty(tls, password, globalMessage);
        String plainUri = "https://127.0.0.1:" + ((ServerConnector) plain.getConnectors()[0]).getLocalPort() + "/";
        String plainFingerprint = SelfSignedKeystore.fingerprint(tls.resolve(SelfSignedKeystore.KEYSTORE), password,
                "PKCS12");

        // one unmeasured round of each first, so that neither side is timed while the JIT compiles its paths
        coordinatorRun(federation, tls, maxSites, "big", 1, toClients, fromClients, heap, modelBytes, false);
        command(toClients, fromClients, "plain " + plainUri + " " + plainFingerprint + " " + maxSites);
        System.out.println("(after one unmeasured warm-up round of each with " + maxSites + " sites)");
        System.out.println(" sites | coordinator round s | plain Jetty s | wall ratio (goal <= 1.5) | server CPU ratio"
                + " | peak live heap, models (goal: flat) | peak used heap, models | full GCs sampled");
        Map<Integer, Double> peakBySites = new LinkedHashMap<>();
        for (int n : siteCounts) {
            List<Double> coord = new ArrayList<>();
            List<Double> base = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            double peakLive = 0;
            double peakUsed = 0;
            long gcs = 0;
            long retries = 0;
            for (int r = 0; r < reps; r++) {
                CoordinatorRun c = coordinatorRun(federation, tls, n, "big", 1, toClients, fromClients, heap,
                        modelBytes, false);
                System.gc(); // as before each coordinator round: neither side collects the other's garbage
                long cpu0 = processCpuNanos();
                String reply = command(toClients, fromClients, "plain " + plainUri + " " + plainFingerprint + " " + n);
                double plainCpu = (processCpuNanos() - cpu0) / 1e9;
                double plainSeconds = Double.parseDouble(field(reply, "seconds"));
                if (Long.parseLong(field(reply, "errors")) != 0) {
                    throw new IllegalStateException("plain endpoint run had errors: " + reply);
                }
                coord.add(c.seconds);
                base.add(plainSeconds);
                ratios.add(c.seconds / plainSeconds);
                cpuRatios.add(c.cpuSeconds / plainCpu);
                retries += c.retries;
            }
            // a longer round is sampled more often, and the peak of more samples is higher for the same heap:
            // every site count gets heap rounds until it has as many samples as one round of the most sites
            do {
                CoordinatorRun h = coordinatorRun(federation, tls, n, "big", 1, toClients, fromClients, heap,
                        modelBytes, true);
                peakLive = Math.max(peakLive, h.peakLiveModels);
                peakUsed = Math.max(peakUsed, h.peakUsedModels);
                gcs += h.gcs;
            } while (gcs < HEAP_SAMPLES);
            peakBySites.put(n, peakLive);
            System.out.printf(Locale.ROOT, " %5d | %19s | %13s | %24s | %16s | %36.2f | %22.2f | %d%n", n,
                    fmt(coord), fmt(base), fmt(ratios) + " med " + String.format(Locale.ROOT, "%.2f",
                            median(ratios)), "med " + String.format(Locale.ROOT, "%.2f", median(cpuRatios)), peakLive,
                    peakUsed, gcs);
            if (retries != 0) {
                System.out.println("  (the clients met " + retries + " 503 answers)");
            }
        }
        System.out.println("  (times: each repetition, coordinator round and plain run interleaved; server CPU: the"
                + " serving JVM's CPU time in the round over that in the plain run; heap: more rounds with a full"
                + " GC every 200 ms, until " + HEAP_SAMPLES + " samples, in models of "
                + String.format(Locale.ROOT, "%.1f", modelBytes / 1e6) + " MB"
                + " beyond the heap after a full GC before the round: 'live' = after those GCs, 'used' = sampled"
                + " every 2 ms, garbage included)");
        double first = peakBySites.values().iterator().next();
        double last = peakBySites.get(maxSites);
        System.out.printf(Locale.ROOT, "peak live heap %d -> %d sites: %.2f -> %.2f models (%s)%n",
                siteCounts[0], maxSites, first, last, last <= first + 1.0 ? "does not grow with the sites"
                        : "GROWS with the sites");
        plain.stop();
        System.out.println();

        if (stressSites > 0) {
            CoordinatorRun s = coordinatorRun(federation, tls, stressSites, "small", stressRounds, toClients,
                    fromClients, heap, modelBytes, false);
            System.out.printf(Locale.ROOT, "%d sites x %d rounds (small model: %,d parameters): rounds done = %d, "
                    + "errors = %d (site failures %d, client errors %d), 503 retries %d, %.1f s%n", stressSites,
                    stressRounds, small(layout).stream().mapToLong(Spec::size).sum(), s.rounds,
                    s.siteFailures + s.clientErrors, s.siteFailures, s.clientErrors, s.retries, s.seconds);
        }
        toClients.println("quit");
        clients.waitFor();
        deleteTree(work);
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    record CoordinatorRun(double seconds, double cpuSeconds, double peakLiveModels, double peakUsedModels, long gcs, long retries,
            int rounds, long siteFailures, long clientErrors) {
    }

    static CoordinatorRun coordinatorRun(FederationService federation, Path tls, int n, String model, int rounds,
            PrintStream toClients, BufferedReader fromClients, HeapWatch heap, long modelBytes, boolean forceGc)
            throws Exception {
        String provider = "bench-" + n + "-" + model;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("host", "127.0.0.1");
        p.put("port", "0");
        p.put("tls", "self-signed");
        p.put("tls.dir", tls.toString());
        p.put("admin.token", TokenHash.of(ADMIN).text());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(site(i));
            p.put("site." + site(i) + ".token", TokenHash.of(token(site(i))).text());
        }
        p.put("sites", String.join(",", ids));
        p.put("provider.id", provider);
        p.put("poll.maxWaitSeconds", "5");
        Coordinator coordinator = new Coordinator(CoordinatorConfig.from(p, tls.getParent()), federation);
        coordinator.start();
        invoke(federation, "addSiteProvider", new Class<?>[] {SiteProvider.class, Map.class}, coordinator,
                Map.of(SiteProvider.ID_PROPERTY, provider));
        try {
            federation.remove(EXPERIMENT, true);
            command(toClients, fromClients, "coord " + coordinator.uri() + " " + coordinator.fingerprint() + " " + n
                    + " " + model);
            federation.create(ExperimentSpec.builder(EXPERIMENT).dataset(provider).trainer("none").model("sam-vit-b")
                    .adapter("msa").strategy("fedavg").rounds(rounds).minSites(n).roundDeadlineSeconds(180)
                    .build());
            federation.globalParameters(EXPERIMENT);
            heap.reset(forceGc);
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            List<RoundResult> results = federation.runRounds(EXPERIMENT, rounds);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            HeapWatch.Peak peak = heap.stop();
            long failures = results.stream().flatMap(r -> r.sites().stream())
                    .filter(s -> s.status() != SiteRoundResult.Status.OK).count();
            String reply = command(toClients, fromClients, "stop");
            if (rounds == 1 && (failures != 0 || Long.parseLong(field(reply, "errors")) != 0)) {
                throw new IllegalStateException("the coordinator round had failures: " + results + " / " + reply);
            }
            return new CoordinatorRun(seconds, cpuSeconds, peak.liveBytes() / (double) modelBytes,
                    peak.usedBytes() / (double) modelBytes, peak.gcs(), Long.parseLong(field(reply, "retries")),
                    results.size(), failures, Long.parseLong(field(reply, "errors")));
        } finally {
            invoke(federation, "removeSiteProvider", new Class<?>[] {SiteProvider.class, Map.class}, coordinator,
                    Map.of(SiteProvider.ID_PROPERTY, provider));
            coordinator.close();
            federation.remove(EXPERIMENT, true);
        }
    }

    /** The federation engine outside OSGi: its DS component, activated and bound by hand, with fedavg. */
    static FederationService federation(Path experiments) throws Exception {
        Class<?> impl = Class.forName("org.fedfms.federation.internal.FederationServiceImpl");
        Object service = impl.getDeclaredConstructor().newInstance();
        Class<?> contextType = Class.forName("org.osgi.framework.BundleContext");
        Object context = Proxy.newProxyInstance(CoordinatorBench.class.getClassLoader(), new Class<?>[] {contextType},
                (proxy, method, a) -> {
                    if (method.getName().equals("getProperty")) {
                        return null;
                    }
                    throw new UnsupportedOperationException("BundleContext." + method.getName() + " in the bench");
                });
        invoke(service, "activate", new Class<?>[] {contextType, Map.class}, context,
                Map.of("experiments.dir", experiments.toString()));
        invoke(service, "addStrategy", new Class<?>[] {AggregationStrategy.class, Map.class}, new FedAvgStrategy(),
                Map.of(AggregationStrategy.ID_PROPERTY, "fedavg"));
        return (FederationService) service;
    }

    static Object invoke(Object target, String name, Class<?>[] types, Object... args) throws Exception {
        Method m = target.getClass().getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m.invoke(target, args);
    }

    /** A Jetty 12 server with the coordinator's TLS set-up that serves the global message and discards uploads. */
    static Server plainJetty(Path tls, String password, byte[] global) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setDaemon(true);
        threads.setName("plain-jetty");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.resolve(SelfSignedKeystore.KEYSTORE).toString());
        ssl.setKeyStorePassword(password);
        ssl.setKeyStoreType("PKCS12");
        http.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl,
                HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getMethod().equals("GET")) {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, global.length);
                    response.write(true, ByteBuffer.wrap(global), callback);
                    return true;
                }
                long n = 0;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int k; (k = in.read(buffer)) >= 0;) {
                        n += k;
                    }
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
                Content.Sink.write(response, true, "{\"accepted\":true,\"bytes\":" + n + "}", callback);
                return true;
            }
        });
        server.start();
        return server;
    }

    static String command(PrintStream to, BufferedReader from, String line) throws IOException {
        to.println(line);
        String reply = from.readLine();
        if (reply == null || !reply.startsWith("ok")) {
            throw new IllegalStateException("clients answered '" + reply + "' to '" + line + "'");
        }
        return reply;
    }

    static void expect(BufferedReader from, String word) throws IOException {
        String line = from.readLine();
        if (line == null || !line.startsWith(word)) {
            throw new IllegalStateException("clients said '" + line + "', expected '" + word + "'");
        }
    }

    static String field(String reply, String key) {
        for (String w : reply.split(" ")) {
            if (w.startsWith(key + "=")) {
                return w.substring(key.length() + 1);
            }
        }
        throw new IllegalStateException("no " + key + " in '" + reply + "'");
    }

    static String fmt(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(" "));
    }

    static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The heap during a round beyond the heap after a full GC just before it: in a measuring round, after a
     * full GC forced every 50 ms (the live data then; young collections alone would count old garbage); and
     * the used heap sampled every 2 ms.
     */
    static final class HeapWatch {
        record Peak(long liveBytes, long usedBytes, long gcs) {
        }

        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        private final AtomicLong peakAfterGc = new AtomicLong();
        private final AtomicLong peakUsed = new AtomicLong();
        private final AtomicLong gcs = new AtomicLong();
        private final AtomicBoolean watching = new AtomicBoolean();
        private final AtomicBoolean forcing = new AtomicBoolean();
        private long idle;

        HeapWatch() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                    if (!watching.get() || !forcing.get()
                            || !notification.getType().equals("com.sun.management.gc.notification")) {
                        return;
                    }
                    CompositeData data = (CompositeData) notification.getUserData();
                    if (!String.valueOf(data.get("gcCause")).equals("System.gc()")) {
                        return;
                    }
                    CompositeData info = (CompositeData) data.get("gcInfo");
                    long used = 0;
                    for (Object o : ((javax.management.openmbean.TabularData) info.get("memoryUsageAfterGc"))
                            .values()) {
                        CompositeData row = (CompositeData) o;
                        if (heapPools.contains((String) row.get("key"))) {
                            used += MemoryUsage.from((CompositeData) row.get("value")).getUsed();
                        }
                    }
                    gcs.incrementAndGet();
                    peakAfterGc.accumulateAndGet(used, Math::max);
                }, null, null);
            }
            Thread sampler = new Thread(() -> {
                while (true) {
                    if (watching.get()) {
                        peakUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                                Math::max);
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            Thread collector = new Thread(() -> {
                while (true) {
                    if (watching.get() && forcing.get()) {
                        System.gc();
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-collector");
            collector.setDaemon(true);
            collector.start();
        }

        void reset(boolean forceGc) {
            System.gc();
            idle = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            peakAfterGc.set(idle);
            peakUsed.set(idle);
            gcs.set(0);
            forcing.set(forceGc);
            watching.set(true);
        }

        Peak stop() {
            watching.set(false);
            forcing.set(false);
            return new Peak(peakAfterGc.get() - idle, peakUsed.get() - idle, gcs.get());
        }
    }

    // ------------------------------------------------------------------------------------------ clients

    /** N site clients driven by commands on stdin; prepared round-1 updates of the big model for each site. */
    static final class Clients {
        private final List<Spec> big;
        private final List<Spec> small;
        private final byte[][] prepared;
        private final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);

        Clients(List<Spec> layout, int maxSites) throws IOException {
            System.setOut(System.err);
            this.big = layout;
            this.small = small(layout);
            prepared = new byte[maxSites][];
            for (int i = 0; i < maxSites; i++) {
                prepared[i] = encode(WireMessage.update(EXPERIMENT, 1, site(i), 100 + 37L * i, Metrics.empty(),
                        fill(big, i + 1)));
            }
        }

        void serve() throws Exception {
            out.println("prepared " + prepared.length);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            Fleet fleet = null;
            for (String line; (line = in.readLine()) != null;) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "plain" -> {
                        int n = Integer.parseInt(w[3]);
                        PlainRun r = plain(URI.create(w[1]), PinnedTrust.fingerprint(w[2]), n);
                        out.printf(Locale.ROOT, "ok seconds=%.4f errors=%d%n", r.seconds, r.errors);
                    }
                    case "coord" -> {
                        fleet = new Fleet(URI.create(w[1]), PinnedTrust.fingerprint(w[2]), Integer.parseInt(w[3]),
                                w[4].equals("big"));
                        fleet.joinAll();
                        out.println("ok joined=" + fleet.n);
                    }
                    case "stop" -> {
                        fleet.stop();
                        out.println("ok errors=" + fleet.errors.get() + " retries=" + fleet.retries.get() + " uploads="
                                + fleet.uploads.get());
                        fleet = null;
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> out.println("unknown command " + line);
                }
            }
        }

        record PlainRun(double seconds, long errors) {
        }

        PlainRun plain(URI base, SSLContext ssl, int n) throws Exception {
            AtomicLong errors = new AtomicLong();
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] body = prepared[i];
                HttpClient http = client(ssl);
                Thread t = new Thread(() -> {
                    try {
                        ready.countDown();
                        go.await();
                        HttpResponse<InputStream> d = http.send(HttpRequest.newBuilder(base.resolve("global")).GET()
                                .build(), HttpResponse.BodyHandlers.ofInputStream());
                        try (InputStream s = d.body()) {
                            s.transferTo(OutputStream.nullOutputStream());
                        }
                        HttpResponse<String> u = http.send(HttpRequest.newBuilder(base.resolve("update"))
                                .header("Content-Type", "application/octet-stream")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (d.statusCode() != 200 || u.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        e.printStackTrace();
                    }
                });
                t.start();
                threads.add(t);
            }
            ready.await();
            long t0 = System.nanoTime();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            return new PlainRun((System.nanoTime() - t0) / 1e9, errors.get());
        }

        static HttpClient client(SSLContext ssl) {
            return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }

        /** N site clients on the coordinator: join, long-poll, download, upload (retrying on 503). */
        final class Fleet {
            final URI base;
            final int n;
            final boolean bigModel;
            final List<HttpClient> clients = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicLong errors = new AtomicLong();
            final AtomicLong retries = new AtomicLong();
            final AtomicLong uploads = new AtomicLong();

            Fleet(URI base, SSLContext ssl, int n, boolean bigModel) {
                this.base = base;
                this.n = n;
                this.bigModel = bigModel;
                for (int i = 0; i < n; i++) {
                    clients.add(client(ssl));
                }
            }

            HttpRequest.Builder request(int i, String rest) {
                return HttpRequest.newBuilder(base.resolve("api/v1/sites/" + site(i) + "/" + rest))
                        .header("Authorization", "Bearer " + token(site(i))).timeout(Duration.ofMinutes(10));
            }

            void joinAll() throws Exception {
                for (int i = 0; i < n; i++) {
                    HttpResponse<String> r = clients.get(i).send(request(i, "join").header("Content-Type",
                            "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"trainSamples\":"
                                    + (100 + 37 * i) + "}")).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(site(i) + " could not join: " + r.statusCode() + " " + r.body());
                    }
                    int site = i;
                    Thread t = new Thread(() -> loop(site), "bench-" + site(i));
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }
            }

            void loop(int i) {
                HttpClient http = clients.get(i);
                while (running.get()) {
                    try {
                        HttpResponse<String> r = http.send(request(i, "task?wait=1").GET().build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 204) {
                            continue;
                        }
                        if (r.statusCode() != 200) {
                            throw new IOException("task: HTTP " + r.statusCode() + " " + r.body());
                        }
                        JsonObject task = JsonParser.parseString(r.body()).getAsJsonObject();
                        String id = task.get("taskId").getAsString();
                        try {
                            work(i, http, task, id);
                        } catch (IOException | RuntimeException e) {
                            http.send(request(i, "tasks/" + id + "/failure").POST(HttpRequest.BodyPublishers
                                    .ofString("{\"message\":\"bench client: " + e.getClass().getSimpleName()
                                            + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
                            throw e;
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        if (running.get()) {
                            errors.incrementAndGet();
                            System.err.println(site(i) + ": " + e);
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException x) {
                                return;
                            }
                        }
                    }
                }
            }

            void work(int i, HttpClient http, JsonObject task, String id) throws IOException, InterruptedException {
                String kind = task.get("kind").getAsString();
                int round = task.get("round").getAsInt();
                String experiment = task.get("experiment").getAsString();
                byte[] body;
                if (kind.equals("INITIAL")) {
                    body = encode(WireMessage.update(experiment, 0, site(i), 0, Metrics.empty(),
                            fill(bigModel ? big : small, 0)));
                } else if (kind.equals("FIT")) {
                    HttpResponse<InputStream> d = http.send(request(i, "tasks/" + id + "/parameters").GET()
                            .build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream s = d.body()) {
                        s.transferTo(OutputStream.nullOutputStream());
                    }
                    if (d.statusCode() != 200) {
                        throw new IOException("parameters: HTTP " + d.statusCode());
                    }
                    body = bigModel && round == 1 && experiment.equals(EXPERIMENT) ? prepared[i]
                            : encode(WireMessage.update(experiment, round, site(i), 100 + 37L * i,
                                    Metrics.empty(), fill(bigModel ? big : small, 1000L * round + i)));
                } else {
                    throw new IOException("unexpected task kind " + kind);
                }
                while (true) {
                    HttpResponse<String> u = http.send(request(i, "tasks/" + id + "/update")
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (u.statusCode() == 503) {
                        retries.incrementAndGet();
                        Thread.sleep(1000L * u.headers().firstValueAsLong("Retry-After").orElse(1));
                        continue;
                    }
                    if (u.statusCode() != 200) {
                        throw new IOException("update: HTTP " + u.statusCode() + " " + u.body());
                    }
                    uploads.incrementAndGet();
                    break;
                }
            }

            void stop() throws Exception {
                running.set(false);
                for (Thread t : threads) {
                    t.join(15_000);
                }
                for (int i = 0; i < n; i++) {
                    clients.get(i).send(request(i, "leave").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                }
            }
        }
    }
}
