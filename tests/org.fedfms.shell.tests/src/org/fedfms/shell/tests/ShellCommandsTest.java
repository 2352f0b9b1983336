package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/** The fedfms commands, run through Gogo's CommandProcessor as the shell runs them. */
class ShellCommandsTest {

    private Shell shell;

    @BeforeEach
    void openSession() throws Exception {
        shell = new Shell();
    }

    @AfterEach
    void close() {
        shell.close();
    }

    private Bundle bundle(String name) {
        for (Bundle b : shell.context.getBundles()) {
            if (name.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + name + " is not installed");
    }

    @Test
    void strategiesListsFedavgWithDescriptionAndSettings() throws Exception {
        String out = shell.awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        assertTrue(out.contains("fedavg"), out);
        assertTrue(out.contains("Federated Averaging"), out);
        assertTrue(out.contains("weighted=true (boolean)"), out);
        assertTrue(out.contains("acceptFailures=true (boolean)"), out);
    }

    @Test
    void strategyInfoShowsEverySetting() throws Exception {
        shell.awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        String out = shell.awaitOutput("fedfms:strategy-info fedavg", s -> s.contains("weighted"));
        assertTrue(out.startsWith("fedavg: Federated Averaging"), out);
        assertTrue(out.contains("acceptFailures") && out.contains("boolean"), out);
        assertTrue(out.contains("Flower: flwr.server.strategy.FedAvg") && out.contains("accept_failures"), out);
        Exception e = assertThrows(Exception.class, () -> shell.execute("fedfms:strategy-info nosuch"));
        assertTrue(e.getMessage().contains("no strategy 'nosuch'"), e.getMessage());
    }

    @Test
    void stoppingTheFedavgBundleRemovesItAndStartingBringsItBack() throws Exception {
        Bundle fedavg = bundle("org.fedfms.strategy.fedavg");
        shell.awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        fedavg.stop();
        try {
            String gone = shell.awaitOutput("fedfms:strategies", s -> !s.contains("fedavg"));
            assertFalse(gone.contains("fedavg"), gone);
            assertTrue(gone.contains("no aggregation strategy is present"), gone);
        } finally {
            fedavg.start();
        }
        String back = shell.awaitOutput("fedfms:strategies", s -> s.contains("fedavg"));
        assertTrue(back.contains("fedavg"), back);
        assertEquals(Bundle.ACTIVE, fedavg.getState());
    }

    @Test
    void versionNamesProductJavaAndFramework() throws Exception {
        String out = shell.run("fedfms:version");
        assertTrue(out.contains("fedfms") && out.contains("0.1.0"), out);
        assertTrue(out.contains("org.eclipse.osgi"), out);
        assertTrue(out.contains(System.getProperty("java.version")), out);
    }

    @Test
    void experimentsAndStatusShowTheFederation() throws Exception {
        String out = shell.awaitOutput("fedfms:experiments", s -> s.contains("experiments") || s.contains("protocol"));
        assertTrue(out.contains("no experiments in") || out.contains("protocol"), out);
        Exception e = assertThrows(Exception.class, () -> shell.execute("fedfms:status nosuch"));
        assertTrue(e.getMessage().contains("no experiment 'nosuch'"), e.getMessage());
    }

    @Test
    void unknownCommandIsAClearError() {
        Exception e = assertThrows(Exception.class, () -> shell.execute("no:such"));
        assertTrue(e.getMessage().contains("no:such"), e.getMessage());
    }
}
