package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/** The experiment setting {@code localParameters}: parameters that stay at each site (FedBN, FedPer-style). */
class PersonalizationTest extends OnTestEnv {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2", "site-3");

    @Test
    void localParametersNeitherReachTheStrategyNorTravel() {
        FederationService f = env.fresh("kept-bias");
        env.fresh("all-shared");
        NameRecordingStrategy recording = new NameRecordingStrategy();
        env.register(recording);
        TestEnv.awaitTrue(() -> f.strategies().stream().anyMatch(s -> s.id().equals(NameRecordingStrategy.ID)),
                "recording strategy bound");
        ExperimentSpecBuilder spec = TestEnv.spec("kept-bias").strategy(NameRecordingStrategy.ID).rounds(3);
        f.create(spec.localParameters("linear.bias").build());
        f.create(spec.name("all-shared").strategy("fedavg").localParameters("").build());
        List<RoundResult> kept = f.runRounds("kept-bias", 3);
        List<RoundResult> shared = f.runRounds("all-shared", 3);

        assertEquals(Set.of("linear.weight"), recording.seen);
        // 4 sites; the weight (3 floats) travels each way, the bias (1 float) stays
        assertEquals(4 * 3 * Float.BYTES, kept.get(2).bytesDown());
        assertEquals(4 * 3 * Float.BYTES, kept.get(2).bytesUp());
        assertEquals(4 * 4 * Float.BYTES, shared.get(2).bytesDown());
        assertEquals(4 * 4 * Float.BYTES, shared.get(2).bytesUp());
        ParameterSet global = f.globalParameters("kept-bias");
        assertEquals(0f, global.get("linear.bias").values()[0], "the global keeps the bias before personalization");
        assertNotEquals(0f, global.get("linear.weight").values()[0]);
    }

    @Test
    void eachSiteTrainsItsOwnValuesAndAResumedRunKeepsThem() throws Exception {
        FederationService f = env.fresh("fedbn-straight");
        env.fresh("fedbn-resumed");
        ExperimentSpecBuilder spec = TestEnv.spec("fedbn-straight").rounds(4).localParameters("*bias").seed(77);
        f.create(spec.build());
        f.create(spec.name("fedbn-resumed").build());
        assertEquals(State.COMPLETED, f.start("fedbn-straight").get(60, TimeUnit.SECONDS).state());
        f.runRounds("fedbn-resumed", 2);

        Path own = f.experimentsDirectory().resolve("fedbn-resumed").resolve("sites").resolve("site-1")
                .resolve("fitted");
        assertTrue(Files.isRegularFile(own.resolve("round-000002.fps")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));

        FederationService g = env.restartFederation("fedavg");
        assertEquals(State.COMPLETED, g.resume("fedbn-resumed").get(60, TimeUnit.SECONDS).state());
        assertEquals(List.of("round-000003.fps", "round-000004.fps"), files(own), "the newest two are kept");

        ExperimentInspector straight = g.inspect("fedbn-straight");
        ExperimentInspector resumed = g.inspect("fedbn-resumed");
        Set<Float> biases = new HashSet<>();
        ParameterSet global = straight.parameters(SITES.get(0));
        for (String site : SITES) {
            ParameterSet a = straight.parameters(site);
            ParameterSet b = resumed.parameters(site);
            assertTrue(straight.ownModel(site), site);
            assertTrue(TestEnv.bitwiseEqual(a, b), site + ": resumed differs by " + a.maxAbsDifference(b));
            assertTrue(TestEnv.bitwiseEqual(a.select(List.of("linear.weight")),
                    g.globalParameters("fedbn-straight").select(List.of("linear.weight"))), site + " shares the weight");
            biases.add(a.get("linear.bias").values()[0]);
        }
        assertEquals(4, biases.size(), "each site has its own bias: " + biases + " (global " + global + ")");
        assertTrue(TestEnv.bitwiseEqual(g.globalParameters("fedbn-straight"), g.globalParameters("fedbn-resumed")));
        List<RoundResult> a = g.history("fedbn-straight");
        List<RoundResult> b = g.history("fedbn-resumed");
        for (int i = 0; i < 4; i++) {
            assertEquals(a.get(i).evaluationMetrics(), b.get(i).evaluationMetrics(), "round " + (i + 1));
        }
    }

    @Test
    void patternsThatMatchNothingOrEverythingAreRefusedAtCreation() {
        FederationService f = env.fresh("bad-kept");
        FederationException none = assertThrows(FederationException.class,
                () -> f.create(TestEnv.spec("bad-kept").localParameters("linear.bias,*norm*").build()));
        assertTrue(none.getMessage().contains("pattern '*norm*' matches no trainable parameter"), none.getMessage());
        FederationException all = assertThrows(FederationException.class,
                () -> f.create(TestEnv.spec("bad-kept").localParameters("linear.*").build()));
        assertTrue(all.getMessage().contains("match every one of the 2 trainable parameters"), all.getMessage());
        assertTrue(f.experiments().stream().noneMatch(s -> s.name().equals("bad-kept")), "nothing was created");
        assertEquals(List.of("'localParameters' = '*norm*' keeps parameters at each site of a federated or "
                + "leave-one-site-out experiment; protocol local-only shares none"),
                TestEnv.spec("x").protocol(ExperimentSpec.Protocol.LOCAL_ONLY).localParameters("*norm*").build()
                        .problems());
        assertEquals("a,b", TestEnv.spec("x").localParameters(" a , b ").build().sharing().localParameters());
    }

    private static List<String> files(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
