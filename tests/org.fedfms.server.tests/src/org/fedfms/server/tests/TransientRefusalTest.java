package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.site.internal.SiteAgentConfig;
import org.fedfms.testing.fixture.FixtureDatasetLoader;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.TaskMessage;
import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;

/**
 * The site agent against a coordinator that refuses an update transiently ({@code 408}: the link was too slow,
 * {@code 503} without Retry-After: busy): a real Jetty on loopback that answers as scripted. The agent sends the
 * whole update again after a back-off, a bounded number of times, and then reports the failure.
 */
class TransientRefusalTest {

    /** A coordinator's site API reduced to one INITIAL task whose update is answered from a script of statuses. */
    static final class ScriptedCoordinator extends Handler.Abstract implements AutoCloseable {
        final Server server = new Server();
        final Deque<Integer> updateAnswers;
        final List<WireMessage> updates = new CopyOnWriteArrayList<>();
        final List<Long> updateTimes = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger startingStateDownloads = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean taskGiven;
        private final TaskMessage task;
        private final byte[] startingState;

        ScriptedCoordinator(List<Integer> updateAnswers) throws Exception {
            this(updateAnswers, task(Map.of(), ""), null);
        }

        /** Hands out {@code task}; serves {@code startingState} (a wire message) to .../starting-state. */
        ScriptedCoordinator(List<Integer> updateAnswers, TaskMessage task, byte[] startingState) throws Exception {
            this.task = task;
            this.startingState = startingState;
            this.updateAnswers = new ConcurrentLinkedDeque<>(updateAnswers);
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(this);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                    + "/");
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            if (path.endsWith("/join") || path.endsWith("/leave")) {
                return answer(response, callback, 200, "{}");
            }
            if (path.endsWith("/task")) {
                if (taskGiven) {
                    Thread.sleep(100);
                    return answer(response, callback, 204, null);
                }
                taskGiven = true;
                return answer(response, callback, 200, task.toJson().toString());
            }
            if (path.endsWith("/tasks/t-1/starting-state") && startingState != null) {
                startingStateDownloads.incrementAndGet();
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, startingState.length);
                response.write(true, java.nio.ByteBuffer.wrap(startingState), callback);
                return true;
            }
            if (path.endsWith("/tasks/t-1/update")) {
                updateTimes.add(System.nanoTime());
                updates.add(WireDecoder.withDefaults().decode(new ByteArrayInputStream(body),
                        HeaderCheck.messageBytes(body.length)));
                Integer status = updateAnswers.poll();
                return answer(response, callback, status == null ? 200 : status, "scripted answer");
            }
            if (path.endsWith("/tasks/t-1/failure")) {
                failures.add(new String(body, StandardCharsets.UTF_8));
                return answer(response, callback, 200, "{}");
            }
            return answer(response, callback, 404, "no " + path);
        }

        static TaskMessage task(Map<String, Object> options, String startingState) {
            return new TaskMessage("t-1", "INITIAL", "scripted", 0, LinRegTrainerFactory.ID,
                    new TrainerSpec("linreg", "none", "cpu", 1, 8, 0.02, 7L, options), Map.of(), null, false,
                    startingState);
        }

        private static boolean answer(Response response, Callback callback, int status, String text) {
            response.setStatus(status);
            if (text == null) {
                callback.succeeded();
            } else {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                Content.Sink.write(response, true, text, callback);
            }
            return true;
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }

    /** Site agents on this framework's fixture loader and trainer (no coordinator of ours). */
    static final class LocalAgents implements AutoCloseable {
        private final org.osgi.util.tracker.ServiceTracker<FederationService, FederationService> tracker;
        private final FederationService federation;
        private final List<SiteAgent> agents = new ArrayList<>();

        LocalAgents() throws InterruptedException {
            tracker = new org.osgi.util.tracker.ServiceTracker<>(FrameworkUtil.getBundle(TransientRefusalTest.class)
                    .getBundleContext(), FederationService.class, null);
            federation = CoordinatorHarness.awaitFederation(tracker);
        }

        SiteAgent agent(SiteAgentConfig config) throws Exception {
            SiteAgent a = new SiteAgent(config, CoordinatorHarness.localServices(federation), null);
            agents.add(a);
            a.start();
            return a;
        }

        @Override
        public void close() {
            agents.forEach(SiteAgent::close);
            tracker.close();
        }
    }

    static SiteAgent agent(LocalAgents services, URI coordinator) throws Exception {
        return services.agent(new SiteAgentConfig(coordinator, "site-0", CoordinatorHarness.token("site-0"), null,
                null, null, FixtureDatasetLoader.ID, Map.of("sites", "3"), "site-0", RETRY_MILLIS, 2_000, 1));
    }

    private static final long RETRY_MILLIS = 200;

    @Test
    void anUpdateRefusedWith408ThenBusy503IsSentAgainAndAccepted() throws Exception {
        try (ScriptedCoordinator c = new ScriptedCoordinator(List.of(408, 503));
                LocalAgents services = new LocalAgents()) {
            SiteAgent a = agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> a.uploads() == 1, "the update accepted at the third attempt: "
                    + c.updates.size() + " attempts, failures " + c.failures);
            assertEquals(3, c.updates.size(), "sent three times: 408, 503, then 200");
            for (WireMessage m : c.updates) {
                assertTrue(m.parameters().equalsWithin(c.updates.get(0).parameters(), 0), "each attempt sends the "
                        + "whole update again");
                assertEquals("site-0", m.siteId());
            }
            assertEquals(List.of(), c.failures, "a transient refusal is no failure of the task");
            assertBackedOff(c.updateTimes);
        }
    }

    @Test
    void anUpdateRefusedWith408EveryTimeIsTriedABoundedNumberOfTimesAndReportedAsAFailure() throws Exception {
        try (ScriptedCoordinator c = new ScriptedCoordinator(List.of(408, 408, 408, 408, 408, 408));
                LocalAgents services = new LocalAgents()) {
            SiteAgent a = agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> !c.failures.isEmpty(), "a failure report after the last attempt");
            assertEquals(3, c.updates.size(), "three attempts, no more");
            assertEquals(0, a.uploads());
            assertTrue(c.failures.get(0).contains("HTTP 408"), c.failures.get(0));
            assertBackedOff(c.updateTimes);
        }
    }

    /** The agent waited at least its initial back-off, growing with each attempt, between attempts. */
    private static void assertBackedOff(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add((times.get(i) - times.get(i - 1)) / 1_000_000);
        }
        for (int i = 0; i < gaps.size(); i++) {
            assertTrue(gaps.get(i) >= RETRY_MILLIS * (i + 1), "attempt " + (i + 2) + " waited " + gaps.get(i)
                    + " ms, at least " + RETRY_MILLIS * (i + 1) + " ms expected (gaps " + gaps + ")");
        }
    }
}
