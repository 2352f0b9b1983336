package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** The fedfms commands, run through Gogo's CommandProcessor as the shell runs them. */
class ShellCommandsTest {

    private BundleContext context;
    private ServiceTracker<CommandProcessor, CommandProcessor> tracker;
    private CommandSession session;

    @BeforeEach
    void openSession() throws Exception {
        context = FrameworkUtil.getBundle(ShellCommandsTest.class).getBundleContext();
        tracker = new ServiceTracker<>(context, CommandProcessor.class, null);
        tracker.open();
        CommandProcessor processor = tracker.waitForService(10_000);
        assertNotNull(processor, "no Gogo CommandProcessor");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterEach
    void close() {
        session.close();
        tracker.close();
    }

    private String run(String command) throws Exception {
        Object result = session.execute(command);
        return result == null ? "" : session.format(result, Converter.INSPECT).toString();
    }

    /** Runs {@code command} until its output satisfies {@code condition} (services come and go asynchronously). */
    private String awaitOutput(String command, Predicate<String> condition) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        String out = run(command);
        while (!condition.test(out) && System.currentTimeMillis() < end) {
            Thread.sleep(50);
            out = run(command);
        }
        return out;
    }

    private Bundle bundle(String name) {
        for (Bundle b : context.getBundles()) {
            if (name.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + name + " is not installed");
    }

    @Test
    void strategiesListsFedavgWithDescriptionAndSettings() throws Exception {
        String out = awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        assertTrue(out.contains("fedavg"), out);
        assertTrue(out.contains("Federated Averaging"), out);
        assertTrue(out.contains("weighted=true (boolean)"), out);
        assertTrue(out.contains("acceptFailures=true (boolean)"), out);
    }

    @Test
    void strategyInfoShowsEverySetting() throws Exception {
        awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        String out = awaitOutput("fedfms:strategy-info fedavg", s -> s.contains("weighted"));
        assertTrue(out.startsWith("fedavg: Federated Averaging"), out);
        assertTrue(out.contains("acceptFailures") && out.contains("boolean"), out);
        assertTrue(out.contains("Flower: flwr.server.strategy.FedAvg") && out.contains("accept_failures"), out);
        Exception e = assertThrows(Exception.class, () -> session.execute("fedfms:strategy-info nosuch"));
        assertTrue(e.getMessage().contains("no strategy 'nosuch'"), e.getMessage());
    }

    @Test
    void stoppingTheFedavgBundleRemovesItAndStartingBringsItBack() throws Exception {
        Bundle fedavg = bundle("org.fedfms.strategy.fedavg");
        awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        fedavg.stop();
        try {
            String gone = awaitOutput("fedfms:strategies", s -> !s.contains("fedavg"));
            assertFalse(gone.contains("fedavg"), gone);
            assertTrue(gone.contains("no aggregation strategy is present"), gone);
        } finally {
            fedavg.start();
        }
        String back = awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        assertTrue(back.contains("fedavg"), back);
        assertEquals(Bundle.ACTIVE, fedavg.getState());
    }

    @Test
    void versionNamesProductJavaAndFramework() throws Exception {
        String out = run("fedfms:version");
        assertTrue(out.contains("fedfms") && out.contains("0.1.0"), out);
        assertTrue(out.contains("org.eclipse.osgi"), out);
        assertTrue(out.contains(System.getProperty("java.version")), out);
    }

    @Test
    void experimentsAndStatusShowTheFederation() throws Exception {
        String out = awaitOutput("fedfms:experiments", s -> s.contains("experiments") || s.contains("protocol"));
        assertTrue(out.contains("no experiments in") || out.contains("protocol"), out);
        Exception e = assertThrows(Exception.class, () -> session.execute("fedfms:status nosuch"));
        assertTrue(e.getMessage().contains("no experiment 'nosuch'"), e.getMessage());
    }

    @Test
    void unknownCommandIsAClearError() {
        Exception e = assertThrows(Exception.class, () -> session.execute("no:such"));
        assertTrue(e.getMessage().contains("no:such"), e.getMessage());
    }
}
