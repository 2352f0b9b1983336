package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.ControlVariateSite;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.internal.ParameterSetFile;
import org.fedfms.site.internal.SiteAgent;
import org.fedfms.site.internal.SiteAgentConfig;
import org.junit.jupiter.api.Test;

/**
 * SCAFFOLD and Ditto with site agents: each agent keeps its control variate or personal model in its own folder,
 * and the runs equal the in-process simulation of the same experiment (FedMSA on sam-tiny, synthetic data).
 */
class RemoteScaffoldDittoTest {

    private static ParameterSet variate(Path siteState, int round) throws Exception {
        return new SiteStateStore(siteState, ControlVariateSite.KIND).before(round + 1).orElseThrow().tensors();
    }

    @Test
    void scaffoldWithAgentsEqualsTheSimulationAndARepeatedRoundStartsFromTheSameVariate() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-scaffold", RemoteLocalParametersTest.SITES,
                Map.of())) {
            RemoteLocalParametersTest.fresh(h, "remote-scaffold", "simulated-scaffold");
            List<SiteAgent> agents = RemoteLocalParametersTest.agents(h);
            h.federation.create(RemoteLocalParametersTest.djlSpec("remote-scaffold", "remote-scaffold")
                    .strategy("scaffold").rounds(2).roundDeadlineSeconds(60).build());
            h.federation.create(RemoteLocalParametersTest.djlSpec("simulated-scaffold", "synthetic")
                    .datasetSettings(RemoteLocalParametersTest.DATA).strategy("scaffold").rounds(2).build());
            assertEquals(2, h.federation.runRound("remote-scaffold").okSites());

            // round 2: site-1 trains and keeps its new variate, site-2's agent dies before it trains; the round
            // fails at its deadline and is repeated (site-2's agent started again)
            agents.forEach(SiteAgent::close);
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 0, "the sites left");
            h.agent(config(h, "site-1"), null);
            SiteAgent[] dying = new SiteAgent[1];
            dying[0] = h.agent(config(h, "site-2"), (kind, experiment, round) -> {
                if (kind.equals("FIT")) {
                    dying[0].kill();
                }
            });
            CoordinatorHarness.awaitTrue(() -> h.coordinator.sitesConnected() == 2, "the sites joined again");
            assertThrows(FederationException.class, () -> h.federation.runRound("remote-scaffold"));
            Path site1 = RemoteLocalParametersTest.agentState("site-1", "remote-scaffold");
            assertTrue(Files.isRegularFile(site1.resolve("variate-000002.bin")), "site-1 kept round 2's variate");
            ParameterSet firstTry = variate(site1, 2);

            SiteAgent again = h.agent(config(h, "site-2"), null);
            CoordinatorHarness.awaitTrue(again::joined, "site-2's agent started again");
            RoundResult second = h.federation.runRound("remote-scaffold");
            assertEquals(2, second.okSites(), second.sites().toString());
            List<RoundResult> simulated = h.federation.runRounds("simulated-scaffold", 2);
            assertEquals(2, simulated.get(1).okSites());

            ParameterSet g = h.federation.globalParameters("remote-scaffold");
            ParameterSet s = h.federation.globalParameters("simulated-scaffold");
            assertFalse(ControlVariates.present(g));
            System.out.printf("SCAFFOLD with agents: remote vs simulated global after 2 rounds, max difference %.3g%n",
                    g.maxAbsDifference(s));
            assertTrue(g.equalsWithin(s, 1e-6), "remote vs simulated global: max difference " + g.maxAbsDifference(s));
            assertTrue(firstTry.equalsWithin(variate(site1, 2), 1e-6), "the repeated round 2 started from round 1's "
                    + "variate again: max difference " + firstTry.maxAbsDifference(variate(site1, 2)));
            for (String site : RemoteLocalParametersTest.SITES) {
                ParameterSet remote = variate(RemoteLocalParametersTest.agentState(site, "remote-scaffold"), 2);
                ParameterSet local = variate(h.federation.experimentsDirectory().resolve("simulated-scaffold")
                        .resolve("site-state").resolve(site), 2);
                assertTrue(remote.maxAbsDifference(ControlVariates.zerosLike(remote)) > 0, site + "'s variate moved");
                assertTrue(remote.equalsWithin(local, 1e-4 * Math.max(1, local.maxAbsDifference(ControlVariates
                        .zerosLike(local)))), site + ": agent vs simulated c_i, max difference "
                                + remote.maxAbsDifference(local));
            }
            Path experiment = h.federation.experimentsDirectory().resolve("remote-scaffold");
            ParameterSet c1 = ParameterSetFile.read(experiment.resolve("round-000001").resolve("strategy.fps"));
            ParameterSet c2 = ParameterSetFile.read(experiment.resolve("round-000002").resolve("strategy.fps"));
            assertTrue(c1.tensorCount() > 0 && c1.maxAbsDifference(ControlVariates.zerosLike(c1)) > 0,
                    "the server's c moved from zero in round 1");
            assertTrue(c2.maxAbsDifference(c1) > 0, "and again in round 2");
            RemoteLocalParametersTest.fresh(h, "remote-scaffold", "simulated-scaffold");
        }
    }

    private static SiteAgentConfig config(CoordinatorHarness h, String site) {
        return new SiteAgentConfig(h.uri(), site, CoordinatorHarness.token(site), h.coordinator.fingerprint(), null,
                null, "synthetic", RemoteLocalParametersTest.DATA, site, 50, 500, 2);
    }

    @Test
    void dittoWithAgentsReportsPersonalMetricsBesideTheGlobalOnes() throws Exception {
        try (CoordinatorHarness h = new CoordinatorHarness("remote-ditto", RemoteLocalParametersTest.SITES,
                Map.of())) {
            RemoteLocalParametersTest.fresh(h, "remote-ditto", "simulated-ditto");
            RemoteLocalParametersTest.agents(h);
            Map<String, Object> ditto = Map.of("localSteps", 3, "dittoLambda", 0.1);
            h.federation.create(RemoteLocalParametersTest.djlSpec("remote-ditto", "remote-ditto").rounds(2)
                    .trainerOptions(ditto).build());
            h.federation.create(RemoteLocalParametersTest.djlSpec("simulated-ditto", "synthetic")
                    .datasetSettings(RemoteLocalParametersTest.DATA).rounds(2).trainerOptions(ditto).build());
            List<RoundResult> remote = h.federation.runRounds("remote-ditto", 2);
            List<RoundResult> simulated = h.federation.runRounds("simulated-ditto", 2);
            for (int i = 0; i < 2; i++) {
                RoundResult r = remote.get(i);
                assertEquals(2, r.okSites(), r.sites().toString());
                for (String metric : List.of("dice", "personal_dice")) {
                    assertEquals(simulated.get(i).evaluationMetrics().get(metric).orElseThrow(),
                            r.evaluationMetrics().get(metric).orElseThrow(), 1e-5, "round " + (i + 1) + " " + metric);
                }
                for (SiteRoundResult site : r.sites()) {
                    assertTrue(site.evaluationMetrics().get("personal_dice").isPresent(), site.toString());
                }
            }
            ParameterSet g = h.federation.globalParameters("remote-ditto");
            ParameterSet simulatedGlobal = h.federation.globalParameters("simulated-ditto");
            System.out.printf("Ditto with agents: remote vs simulated global after 2 rounds, max difference %.3g%n",
                    g.maxAbsDifference(simulatedGlobal));
            assertTrue(g.equalsWithin(simulatedGlobal, 1e-6));
            for (String site : RemoteLocalParametersTest.SITES) {
                Path dir = RemoteLocalParametersTest.agentState(site, "remote-ditto");
                ParameterSet v = new SiteStateStore(dir, PersonalModelSite.KIND).before(3).orElseThrow().tensors();
                assertTrue(v.layoutDifferences(g).isEmpty() && v.maxAbsDifference(g) > 0, site
                        + " keeps a personal model of its own");
            }
            RemoteLocalParametersTest.fresh(h, "remote-ditto", "simulated-ditto");
        }
    }
}
