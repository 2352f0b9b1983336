package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.fedfms.security.PinnedTrust;
import org.fedfms.security.TokenHash;
import org.fedfms.server.internal.Coordinator;
import org.fedfms.server.internal.CoordinatorConfig;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.site.internal.SiteAgentConfig;
import org.fedfms.testing.fixture.Conditions;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.testing.fixture.TestFiles;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real coordinator on 127.0.0.1 (HTTPS with its self-signed certificate, an ephemeral port) registered
 * as a site provider, site agents on the fixture dataset, and an HTTP client pinned to its certificate.
 */
final class CoordinatorHarness implements AutoCloseable {

    static final String ADMIN = "admin-secret-token";

    final BundleContext context = FrameworkUtil.getBundle(CoordinatorHarness.class).getBundleContext();
    Coordinator coordinator;
    final FederationService federation;
    final HttpClient client;
    final String providerId;
    private final ServiceTracker<FederationService, FederationService> tracker;
    private ServiceRegistration<SiteProvider> registration;
    private final Map<String, String> properties;
    private final List<SiteAgent> agents = new ArrayList<>();
    private final Path dir;

    CoordinatorHarness(String providerId, List<String> sites, Map<String, String> extra) throws Exception {
        this.providerId = providerId;
        tracker = new ServiceTracker<>(context, FederationService.class, null);
        federation = awaitFederation(tracker);
        dir = Files.createTempDirectory("fedfms-coordinator-");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("host", "127.0.0.1");
        p.put("port", "0");
        p.put("tls", "self-signed");
        p.put("tls.dir", dir.resolve("tls").toString());
        p.put("admin.token", TokenHash.of(ADMIN).text());
        p.put("sites", String.join(",", sites));
        for (String s : sites) {
            p.put("site." + s + ".token", TokenHash.of(token(s)).text());
        }
        p.put("provider.id", providerId);
        p.put("poll.maxWaitSeconds", "2");
        p.putAll(extra);
        properties = p;
        startCoordinator();
        awaitTrue(() -> {
            ServiceReference<SiteProvider>[] refs;
            try {
                @SuppressWarnings("unchecked")
                ServiceReference<SiteProvider>[] r = (ServiceReference<SiteProvider>[]) context
                        .getServiceReferences(SiteProvider.class.getName(), "(id=" + providerId + ")");
                refs = r;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new AssertionError(e);
            }
            return refs != null;
        }, "provider registered");
        client = HttpClient.newBuilder().sslContext(PinnedTrust.fingerprint(coordinator.fingerprint()))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void startCoordinator() throws Exception {
        coordinator = new Coordinator(CoordinatorConfig.from(properties, dir), federation);
        coordinator.start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SiteProvider.ID_PROPERTY, providerId);
        registration = context.registerService(SiteProvider.class, coordinator, props);
    }

    /** Stops the coordinator and starts a new one on the same port with the same certificate. */
    void restartCoordinator() throws Exception {
        int port = coordinator.port();
        registration.unregister();
        coordinator.close();
        properties.put("port", String.valueOf(port));
        startCoordinator();
    }

    static String token(String site) {
        return "token-of-" + site + "-0123456789";
    }

    /** A site agent for {@code site} training on site {@code datasetSite} of a 3-site fixture dataset. */
    SiteAgent agent(String site, String datasetSite, SiteAgent.TaskObserver observer) throws Exception {
        return agent(new SiteAgentConfig(coordinator.uri(), site, token(site), coordinator.fingerprint(), null, null,
                FixtureDatasetLoader.ID, Map.of("sites", "3"), datasetSite, 50, 500, 2), observer);
    }

    /** A site agent with this configuration, on this framework's dataset loaders and trainers. */
    SiteAgent agent(SiteAgentConfig config, SiteAgent.TaskObserver observer) throws Exception {
        SiteAgent a = new SiteAgent(config, localServices(federation), observer);
        agents.add(a);
        a.start();
        return a;
    }

    /** Opens {@code tracker} and waits for the federation service with the fixture loader and fedavg. */
    static FederationService awaitFederation(ServiceTracker<FederationService, FederationService> tracker)
            throws InterruptedException {
        tracker.open();
        FederationService federation = tracker.waitForService(10_000);
        assertNotNull(federation, "no FederationService within 10 s");
        awaitTrue(() -> federation.loaders().stream().anyMatch(l -> l.id().equals(FixtureDatasetLoader.ID))
                && federation.strategies().stream().anyMatch(s -> s.id().equals("fedavg")), "fixture and fedavg");
        return federation;
    }

    /** This framework's dataset loaders and trainers, as a site agent looks them up. */
    static SiteAgent.LocalServices localServices(FederationService federation) {
        return new SiteAgent.LocalServices() {
            @Override
            public org.fedfms.api.data.DatasetLoader loader(String id) {
                return federation.loaders().stream().filter(l -> l.id().equals(id)).findFirst().orElse(null);
            }

            @Override
            public org.fedfms.api.train.SiteTrainerFactory trainerFactory(String id) {
                return federation.trainerFactories().stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
            }
        };
    }

    /** Removes an experiment of that name left by an earlier run. */
    void fresh(String name) {
        federation.remove(name, true);
        deleteTree(federation.experimentsDirectory().resolve(name));
    }

    static ExperimentSpecBuilder spec(String name, String dataset) {
        return ExperimentSpec.builder(name).dataset(dataset).trainer(LinRegTrainerFactory.ID).model("linreg")
                .adapter("none").device("cpu").learningRate(0.02).batchSize(8).localEpochs(1).rounds(3)
                .roundDeadlineSeconds(30);
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(coordinator.uri().resolve(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> download(String path, String token) throws Exception {
        return client.send(HttpRequest.newBuilder(coordinator.uri().resolve(path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> upload(String path, String token, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(coordinator.uri().resolve(path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] encode(WireMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireEncoder.fp32().encode(m, out);
        return out.toByteArray();
    }

    URI uri() {
        return coordinator.uri();
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        awaitTrue(condition, what, 20_000);
    }

    static void awaitTrue(BooleanSupplier condition, String what, long millis) {
        Conditions.awaitTrue(condition, () -> what, millis);
    }

    static void deleteTree(Path root) {
        TestFiles.deleteTree(root);
    }

    @Override
    public void close() {
        agents.forEach(SiteAgent::close);
        try {
            registration.unregister();
        } catch (IllegalStateException gone) {
            // unregistered already
        }
        coordinator.close();
        tracker.close();
        deleteTree(dir);
    }

    /** Runs the JDK's keytool with {@code args}; fails the test with its output if it fails. */
    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
