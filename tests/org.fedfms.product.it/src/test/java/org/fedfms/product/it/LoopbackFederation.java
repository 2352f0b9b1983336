package org.fedfms.product.it;

import static org.fedfms.product.it.ProductProcess.jvmOptions;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLContext;

import org.fedfms.security.PinnedTrust;
import org.fedfms.security.TokenHash;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A federation deployed as an operator would: the product's {@code fedfms coordinator} on 127.0.0.1 (self-signed
 * TLS, its state in its own work directory) and one {@code fedfms site} process per site, each with its own
 * configuration file and work directory; an admin client pinned to the coordinator's certificate.
 */
final class LoopbackFederation implements AutoCloseable {

    static final String ADMIN_TOKEN = "it-admin-" + HexFormat.of().formatHex(random(8));

    private final Path product;
    private final Path root;
    private final int port;
    private final List<String> sites;
    private final Map<String, String> dataset;
    private final Map<String, String> siteTokens = new LinkedHashMap<>();
    private final Map<String, ProductProcess> siteProcesses = new LinkedHashMap<>();
    private final List<ProductProcess> all = new ArrayList<>();
    private final Thread reaper = new Thread(this::close, "fedfms-it-reaper");
    private ProductProcess coordinator;
    private int coordinatorStarts;
    private HttpClient client;

    /**
     * @param sites the site ids, in the coordinator's aggregation order (names of the dataset's sites)
     * @param dataset the sites' dataset: {@code dataset} (loader id) and its {@code dataset.<setting>}s
     */
    LoopbackFederation(Path product, Path root, List<String> sites, Map<String, String> dataset) throws IOException {
        this.product = product;
        this.root = root;
        this.sites = List.copyOf(sites);
        this.dataset = Map.copyOf(dataset);
        Files.createDirectories(root);
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        for (String site : sites) {
            siteTokens.put(site, "it-" + site + "-" + HexFormat.of().formatHex(random(12)));
        }
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** The coordinator's state directory ({@code fedfms.workdir}: experiments and TLS). */
    Path coordinatorWorkdir() {
        return root.resolve("coordinator");
    }

    Path experimentDirectory(String experiment) {
        return coordinatorWorkdir().resolve("experiments").resolve(experiment);
    }

    URI uri() {
        return URI.create("https://127.0.0.1:" + port + "/");
    }

    ProductProcess coordinator() {
        return coordinator;
    }

    ProductProcess site(String id) {
        return siteProcesses.get(id);
    }

    /** Starts the coordinator (again, on the same state directory and port) and waits for /health. */
    void startCoordinator() throws Exception {
        Path dir = coordinatorWorkdir();
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", String.valueOf(port));
        p.setProperty("tls", "self-signed");
        p.setProperty("tls.dir", dir.resolve("tls").toString());
        p.setProperty("admin.token", TokenHash.of(ADMIN_TOKEN).text());
        p.setProperty("sites", String.join(",", sites));
        siteTokens.forEach((site, token) -> p.setProperty("site." + site + ".token", TokenHash.of(token).text()));
        p.setProperty("provider.id", "remote");
        p.setProperty("poll.maxWaitSeconds", "2");
        Path config = write(root.resolve("coordinator.properties"), p);
        coordinatorStarts++;
        coordinator = ProductProcess.start("coordinator", product, "coordinator", config,
                root.resolve("coordinator-" + coordinatorStarts + ".log"), jvmOptions(dir));
        all.add(coordinator);
        ProductProcess started = coordinator;
        await(() -> {
            if (!started.alive()) {
                throw new AssertionError("the coordinator exited at start:\n" + started.tail());
            }
            return Files.exists(dir.resolve("tls").resolve("coordinator.fingerprint")) && healthy();
        }, "the coordinator answering /health", Duration.ofSeconds(120));
    }

    String fingerprint() throws IOException {
        return Files.readString(coordinatorWorkdir().resolve("tls").resolve("coordinator.fingerprint"),
                StandardCharsets.UTF_8).trim();
    }

    private boolean healthy() {
        try {
            return call("GET", "health", null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the site agent process of {@code site}. */
    void startSite(String site) throws IOException {
        Path dir = root.resolve(site);
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("coordinator", uri().toString());
        p.setProperty("tls.fingerprint", fingerprint());
        p.setProperty("site.id", site);
        p.setProperty("site.token", siteTokens.get(site));
        dataset.forEach(p::setProperty);
        p.setProperty("dataset.site", site);
        p.setProperty("retry.initialMillis", "200");
        p.setProperty("retry.maxMillis", "1000");
        p.setProperty("poll.waitSeconds", "2");
        Path config = write(root.resolve(site + ".properties"), p);
        int n = (int) all.stream().filter(x -> x.name().equals(site)).count() + 1;
        ProductProcess process = ProductProcess.start(site, product, "site", config,
                root.resolve(site + "-" + n + ".log"), jvmOptions(dir));
        siteProcesses.put(site, process);
        all.add(process);
    }

    /** Waits until {@code n} sites are joined, as the coordinator's /health says. */
    void awaitSitesConnected(int n, Duration timeout) {
        await(() -> {
            for (ProductProcess s : siteProcesses.values()) {
                if (!s.alive()) {
                    throw new AssertionError(s.name() + " exited:\n" + s.tail());
                }
            }
            try {
                HttpResponse<String> r = call("GET", "health", null);
                return r.statusCode() == 200 && JsonParser.parseString(r.body()).getAsJsonObject().get("sitesConnected")
                        .getAsInt() == n;
            } catch (IOException e) {
                return false;
            }
        }, n + " sites connected", timeout);
    }

    private static Path write(Path file, Properties p) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "written by the deployment test");
        }
        return file;
    }

    // ---------------------------------------------------------------- admin API

    HttpResponse<String> call(String method, String path, String json) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            return client().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A call that must answer {@code status}; returns its JSON body. */
    JsonElement admin(String method, String path, String json, int status) throws IOException {
        HttpResponse<String> r = call(method, path, json);
        if (r.statusCode() != status) {
            throw new AssertionError(method + " " + path + ": expected HTTP " + status + ", got " + r.statusCode()
                    + " " + r.body() + "\ncoordinator log:\n" + coordinator.tail());
        }
        return JsonParser.parseString(r.body());
    }

    JsonObject status(String experiment) throws IOException {
        return admin("GET", "api/v1/experiments/" + experiment, null, 200).getAsJsonObject();
    }

    /** Waits until the experiment is in {@code state}; fails at once if it failed or was cancelled instead. */
    JsonObject awaitState(String experiment, String state, Duration timeout) {
        JsonObject[] last = new JsonObject[1];
        await(() -> {
            try {
                last[0] = status(experiment);
            } catch (IOException e) {
                return false;
            }
            String s = last[0].get("state").getAsString();
            if (!s.equals(state) && (s.equals("FAILED") || s.equals("CANCELLED"))) {
                throw new AssertionError(experiment + " is " + s + ": " + last[0] + "\ncoordinator log:\n"
                        + coordinator.tail());
            }
            return s.equals(state);
        }, experiment + " " + state, timeout);
        return last[0];
    }

    private synchronized HttpClient client() throws IOException {
        if (client == null) {
            try {
                SSLContext ssl = PinnedTrust.fingerprint(fingerprint());
                client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
        return client;
    }

    void await(BooleanSupplier condition, String what, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what
                        + "\ncoordinator log:\n" + (coordinator == null ? "-" : coordinator.tail()));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Kills every process this federation started. */
    @Override
    public void close() {
        for (ProductProcess p : all) {
            p.close();
        }
        if (Thread.currentThread() != reaper) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
