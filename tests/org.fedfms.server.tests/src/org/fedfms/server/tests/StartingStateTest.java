package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.wire.ParameterDigest;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

/**
 * A site and the starting state its coordinator announces (a scripted Jetty coordinator on loopback): the site
 * refuses a trainer option naming a path, keeps a state that matches the announced digest (owner-only, in its
 * own folder; a restarted agent does not download it again), and refuses one that does not, keeping nothing.
 */
class StartingStateTest {

    private static final ParameterSet STATE = ParameterSet.builder()
            .add("encoder.frozen.weight", new int[] {2, 3}, new float[] {1, -2, 3, -4, 5, -6})
            .add("linear.weight", new int[] {1, 3}, new float[] {0.5f, 0.25f, -0.125f})
            .add("linear.bias", new int[] {1}, new float[] {0.75f}).build();

    private static byte[] message(ParameterSet p) throws Exception {
        return CoordinatorHarness.encode(WireMessage.global("scripted", 0, "", p));
    }

    private static Path held(String digest) {
        return Path.of(System.getProperty("fedfms.workdir", System.getProperty("user.home") + "/.fedfms"))
                .resolve("site-site-0").resolve("starting-states").resolve(digest + ".safetensors");
    }

    @Test
    void aSiteRefusesATrainerOptionNamingAPath() throws Exception {
        try (TransientRefusalTest.ScriptedCoordinator c = new TransientRefusalTest.ScriptedCoordinator(List.of(),
                TransientRefusalTest.ScriptedCoordinator.task(Map.of("weights", "/etc/passwd"), ""), null);
                TransientRefusalTest.LocalAgents services = new TransientRefusalTest.LocalAgents()) {
            TransientRefusalTest.agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> !c.failures.isEmpty(), "a failure report");
            assertTrue(c.failures.get(0).contains("never opens a path chosen by the coordinator")
                    && c.failures.get(0).contains("'weights'"), c.failures.get(0));
            assertEquals(List.of(), c.updates);
        }
    }

    @Test
    void aStartingStateThatMatchesItsDigestIsKeptOwnerOnlyAndNotDownloadedAgain() throws Exception {
        String digest = ParameterDigest.sha256(STATE);
        Files.deleteIfExists(held(digest));
        byte[] state = message(STATE);
        try (TransientRefusalTest.ScriptedCoordinator c = new TransientRefusalTest.ScriptedCoordinator(List.of(),
                TransientRefusalTest.ScriptedCoordinator.task(Map.of(), digest), state);
                TransientRefusalTest.LocalAgents services = new TransientRefusalTest.LocalAgents()) {
            SiteAgent a = TransientRefusalTest.agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> a.uploads() == 1, "the initial parameters sent: " + c.failures);
            assertEquals(1, c.startingStateDownloads.get());
            assertTrue(Files.isRegularFile(held(digest)), held(digest).toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(held(digest))));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    held(digest).getParent())));
        }
        try (TransientRefusalTest.ScriptedCoordinator c = new TransientRefusalTest.ScriptedCoordinator(List.of(),
                TransientRefusalTest.ScriptedCoordinator.task(Map.of(), digest), state);
                TransientRefusalTest.LocalAgents services = new TransientRefusalTest.LocalAgents()) {
            SiteAgent restarted = TransientRefusalTest.agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> restarted.uploads() == 1, "the initial parameters sent again");
            assertEquals(0, c.startingStateDownloads.get(), "a restarted agent holding the state does not download it");
        }
    }

    @Test
    void aStartingStateWhoseDigestDoesNotMatchIsRefusedAndNothingIsKept() throws Exception {
        String announced = ParameterDigest.sha256(STATE);
        Files.deleteIfExists(held(announced));
        ParameterSet other = STATE.withReplaced(ParameterSet.builder()
                .add("linear.bias", new int[] {1}, new float[] {0.5f}).build());
        try (TransientRefusalTest.ScriptedCoordinator c = new TransientRefusalTest.ScriptedCoordinator(List.of(),
                TransientRefusalTest.ScriptedCoordinator.task(Map.of(), announced), message(other));
                TransientRefusalTest.LocalAgents services = new TransientRefusalTest.LocalAgents()) {
            SiteAgent a = TransientRefusalTest.agent(services, c.uri());
            CoordinatorHarness.awaitTrue(() -> !c.failures.isEmpty(), "a failure report");
            String why = c.failures.get(0);
            assertTrue(why.contains("refused the starting state of experiment 'scripted'") && why.contains(announced)
                    && why.contains(ParameterDigest.sha256(other)), why);
            assertEquals(0, a.uploads());
            assertEquals(List.of(), c.updates, "no training from a state that does not match");
            assertFalse(Files.exists(held(announced)), "nothing kept");
        }
    }
}
