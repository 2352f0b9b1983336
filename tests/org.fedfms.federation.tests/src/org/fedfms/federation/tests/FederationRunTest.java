package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentNotFoundException;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/** Experiments on the fixture: convergence, the protocols, site selection, events, the services listed. */
class FederationRunTest extends OnTestEnv {


    private static double mse(RoundResult r) {
        return r.evaluationMetrics().get("mse").orElseThrow();
    }

    @Test
    void federationConvergesToTheSharedModel() throws Exception {
        FederationService f = env.fresh("converge");
        f.create(TestEnv.spec("converge").rounds(30).localEpochs(2).learningRate(0.05).build());
        ExperimentStatus done = f.start("converge").get(60, TimeUnit.SECONDS);

        assertEquals(State.COMPLETED, done.state(), done.message());
        assertEquals(30, done.completedRounds());
        List<RoundResult> history = f.history("converge");
        assertEquals(30, history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(i + 1, history.get(i).round());
            assertEquals("fedavg", history.get(i).strategyId());
            assertEquals(4, history.get(i).okSites());
        }
        double first = mse(history.get(0));
        double last = mse(history.get(29));
        assertTrue(last < first / 50, "validation mse fell from " + first + " to " + last);
        assertTrue(history.get(29).fitMetrics().get("loss").orElseThrow() < 0.05);

        ParameterSet global = f.globalParameters("converge");
        float[] w = global.get("linear.weight").values();
        for (int j = 0; j < w.length; j++) {
            assertEquals(LinRegTrainerFactory.TRUE_W[j], w[j], 0.05, "w[" + j + "]");
        }
        assertEquals(LinRegTrainerFactory.TRUE_B, global.get("linear.bias").values()[0], 0.15);

        // 4 sites × 4 fp32 trainable parameters each way
        assertEquals(4 * 4 * 4, history.get(0).bytesDown());
        assertEquals(4 * 4 * 4, history.get(0).bytesUp());
        SiteRoundResult site = history.get(0).sites().get(0);
        assertEquals(SiteRoundResult.Status.OK, site.status());
        assertEquals(24, site.sampleCount());
        assertTrue(site.evaluationMetrics().get("mse").isPresent());
        assertNull(site.error());

        TestEnv.awaitTrue(() -> !env.events("converge", FederationEvent.ExperimentCompleted.class).isEmpty(),
                "ExperimentCompleted event");
        assertEquals(30, env.events("converge", FederationEvent.RoundStarted.class).size());
        assertEquals(30, env.events("converge", FederationEvent.RoundCompleted.class).size());
        assertEquals(120, env.events("converge", FederationEvent.SiteFinished.class).size());
        assertEquals(history.get(3), env.events("converge", FederationEvent.RoundCompleted.class).get(3).result());
    }

    @Test
    void eachSiteReportsItsBatchesInOrderBeforeItFinishes() throws Exception {
        FederationService f = env.fresh("progress");
        f.create(TestEnv.spec("progress").rounds(2).localEpochs(2).build());
        ExperimentStatus done = f.start("progress").get(60, TimeUnit.SECONDS);
        assertEquals(State.COMPLETED, done.state(), done.message());
        TestEnv.awaitTrue(() -> !env.events("progress", FederationEvent.ExperimentCompleted.class).isEmpty(),
                "ExperimentCompleted event");

        // 24 samples a site in batches of 8, two epochs: 6 batches, each reported once, in order, before its result
        List<FederationEvent> events = env.events("progress", FederationEvent.class);
        java.util.Map<String, Integer> last = new java.util.HashMap<>();
        int reports = 0;
        for (FederationEvent e : events) {
            if (e instanceof FederationEvent.RoundStarted) {
                last.clear();
            } else if (e instanceof FederationEvent.SiteProgress p) {
                reports++;
                assertEquals(6, p.batches(), p.toString());
                assertEquals(last.getOrDefault(p.site(), 0) + 1, p.batch(), "in order: " + p);
                assertTrue(p.batch() <= p.batches(), p.toString());
                assertEquals(p.batch() <= 3 ? 8L * p.batch() : 24 + 8L * (p.batch() - 3), p.samples(), p.toString());
                assertTrue(p.elapsedMillis() >= 0 && p.etaMillis() >= 0, p.toString());
                last.put(p.site(), p.batch());
            } else if (e instanceof FederationEvent.SiteFinished s) {
                assertEquals(6, last.get(s.site().siteId()), "all batches reported before " + s);
            }
        }
        assertEquals(2 * 4 * 6, reports);
        // the status side: each site's last batch of the latest round, kept until the next round starts
        java.util.Map<String, FederationEvent.SiteProgress> lastProgress = f.progress("progress");
        assertEquals(4, lastProgress.size(), lastProgress.toString());
        lastProgress.values().forEach(p -> {
            assertEquals(2, p.round(), p.toString());
            assertEquals(6, p.batch(), p.toString());
            assertEquals(48, p.samples(), p.toString());
            assertEquals(0, p.etaMillis(), p.toString());
        });
    }

    @Test
    void siteProgressGivesTheRateAndTheTimeLeftAtThatRate() {
        // 3 of 12 batches (24 samples) in 15 s: 1.6 samples a second, 45 s to go
        FederationEvent.SiteProgress p = new FederationEvent.SiteProgress("x", 3, "site-1", 3, 12, 24, 15_000);
        assertEquals(1.6, p.samplesPerSecond(), 1e-9);
        assertEquals(45_000, p.etaMillis());
        assertEquals("0:45", p.etaText());
        assertEquals("12:03", new FederationEvent.SiteProgress("x", 1, "s", 1, 2, 8, 723_000).etaText());
    }

    @Test
    void siteSelectionIsSeededAndHonoursFractionAndMinSites() throws Exception {
        FederationService f = env.fresh("select-a");
        env.fresh("select-b");
        env.fresh("select-c");
        ExperimentSpecBuilder b = TestEnv.spec("select-a").rounds(6).fractionPerRound(0.3).minSites(2)
                .datasetSettings(Map.of("sites", 6));
        f.create(b.build());
        f.create(b.name("select-b").build());
        f.create(b.name("select-c").seed(7).build());
        f.runRounds("select-a", 6);
        f.runRounds("select-b", 6);
        f.runRounds("select-c", 6);
        List<List<String>> a = chosen(f.history("select-a"));
        assertEquals(a, chosen(f.history("select-b")), "same seed, same sites");
        assertNotEquals(a, chosen(f.history("select-c")), "another seed, other sites");
        Set<List<String>> distinct = new HashSet<>(a);
        assertTrue(distinct.size() > 1, "rounds draw different sites: " + a);
        for (List<String> round : a) {
            assertEquals(2, round.size(), "max(minSites 2, ceil(0.3 × 6) = 2)");
        }
        RoundResult r = f.history("select-a").get(0);
        assertEquals(6, r.sites().size());
        assertEquals(4, r.sites().stream().filter(s -> s.status() == SiteRoundResult.Status.SKIPPED).count());
        assertTrue(r.sites().stream().allMatch(s -> s.evaluationMetrics().get("mse").isPresent()),
                "every site evaluates the new global model");
    }

    private static List<List<String>> chosen(List<RoundResult> history) {
        return history.stream().map(r -> r.sites().stream().filter(s -> s.status() == SiteRoundResult.Status.OK)
                .map(SiteRoundResult::siteId).toList()).toList();
    }

    @Test
    void centralizedTrainsOnePooledSite() {
        FederationService f = env.fresh("central");
        f.create(TestEnv.spec("central").protocol(Protocol.CENTRALIZED).rounds(8).build());
        List<RoundResult> rounds = f.runRounds("central", 8);
        assertEquals(8, rounds.size());
        for (RoundResult r : rounds) {
            assertEquals(1, r.sites().size());
            assertEquals("pooled", r.sites().get(0).siteId());
            assertEquals(4 * 24, r.sites().get(0).sampleCount());
            assertEquals("none", r.strategyId());
            assertEquals(0, r.bytesUp() + r.bytesDown(), "pooled training sends no parameters");
        }
        assertTrue(mse(rounds.get(7)) < mse(rounds.get(0)) / 10);
        assertTrue(rounds.get(0).sites().get(0).evaluationMetrics().get("mse").isPresent(),
                "evaluated on the pooled validation split");
    }

    @Test
    void localOnlyKeepsOneModelPerSite() {
        FederationService f = env.fresh("local");
        f.create(TestEnv.spec("local").protocol(Protocol.LOCAL_ONLY).rounds(3).build());
        List<RoundResult> rounds = f.runRounds("local", 3);
        assertEquals("none", rounds.get(0).strategyId());
        Map<String, ParameterSet> local = f.localParameters("local");
        assertEquals(List.of("site-0", "site-1", "site-2", "site-3"), List.copyOf(local.keySet()));
        ParameterSet s0 = local.get("site-0");
        ParameterSet s1 = local.get("site-1");
        assertTrue(s0.maxAbsDifference(s1) > 1e-4, "each site trains alone on its own data");
        assertEquals(0.0, f.globalParameters("local").maxAbsDifference(
                ParameterSet.builder().add("linear.weight", new int[] {1, 3}, new float[3])
                        .add("linear.bias", new int[] {1}, new float[1]).build()), "no global model is trained");
        assertEquals(4, rounds.get(2).okSites());
        for (RoundResult r : rounds) {
            assertEquals(0, r.bytesUp() + r.bytesDown(), "local-only training sends no parameters");
            r.sites().forEach(s -> assertEquals(0, s.bytesUp() + s.bytesDown(), s.siteId()));
        }
        assertThrows(FederationException.class, () -> f.swapStrategy("local", "fedavg", Map.of()));

        ExperimentInspector inspector = f.inspect("local");
        assertEquals(3, inspector.round());
        assertTrue(inspector.dataHere());
        assertTrue(inspector.missingExporter().startsWith("trainer 'linreg' has no prediction exporter"),
                inspector.missingExporter());
        assertEquals(List.of("site-0", "site-1", "site-2", "site-3"),
                inspector.sites(List.of()).stream().map(SiteData::siteId).toList());
        assertEquals("site-0", inspector.firstSite());
        assertTrue(inspector.ownModel("site-1"));
        assertEquals(0.0, inspector.parameters("site-1").maxAbsDifference(s1), "site-1 is predicted by its own model");
        assertEquals(DataSplit.VALIDATION, inspector.evaluatedSplit("site-1"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> inspector.sites(List.of("site-9")));
        assertTrue(unknown.getMessage().contains("has no site site-9"), unknown.getMessage());
        FederationException noExporter = assertThrows(FederationException.class, () -> inspector.evaluateSamples(
                inspector.sites(List.of("site-0")).get(0), DataSplit.VALIDATION, List.of(), TrainingMonitor.NONE));
        assertTrue(noExporter.getMessage().contains("has no prediction exporter"), noExporter.getMessage());
    }

    @Test
    void protocolsSayWhetherTheyAggregate() {
        assertTrue(Protocol.FEDERATED.aggregates());
        assertTrue(Protocol.LEAVE_ONE_SITE_OUT.aggregates());
        assertFalse(Protocol.CENTRALIZED.aggregates());
        assertFalse(Protocol.LOCAL_ONLY.aggregates());
    }

    @Test
    void leaveOneSiteOutNeverTrainsOnTheUnseenSite() {
        FederationService f = env.fresh("loso");
        f.create(TestEnv.spec("loso").protocol(Protocol.LEAVE_ONE_SITE_OUT).unseenSite("site-2").rounds(3).build());
        for (RoundResult r : f.runRounds("loso", 3)) {
            SiteRoundResult unseen = r.sites().stream().filter(s -> s.siteId().equals("site-2")).findFirst()
                    .orElseThrow();
            assertEquals(SiteRoundResult.Status.SKIPPED, unseen.status());
            assertTrue(unseen.evaluationMetrics().get("mse").isPresent(), "tested every round");
            assertEquals(3, r.okSites());
            assertEquals(unseen.evaluationMetrics().get("mse").getAsDouble(),
                    r.evaluationMetrics().get("mse").getAsDouble(), 0.0, "the round reports the unseen site");
            assertTrue(r.evaluationMetrics().get("val_mse").isPresent());
        }
        f.remove("loso", true);
        f.create(TestEnv.spec("loso").protocol(Protocol.LEAVE_ONE_SITE_OUT).unseenSite("site-9").build());
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("loso"));
        assertTrue(e.getMessage().contains("unseen site 'site-9' is not a site"), e.getMessage());
        assertEquals(State.FAILED, f.status("loso").state());
    }

    @Test
    void createChecksTheSpecAndTheServicesItNames() {
        FederationService f = env.fresh("checks");
        SettingsException bad = assertThrows(SettingsException.class,
                () -> f.create(TestEnv.spec("checks").rounds(0).device("tpu").build()));
        assertTrue(bad.getMessage().contains("'rounds'") && bad.getMessage().contains("'device'"), bad.getMessage());
        FederationException missing = assertThrows(FederationException.class,
                () -> f.create(TestEnv.spec("checks").strategy("nosuch").build()));
        assertTrue(missing.getMessage().contains("strategy 'nosuch' is not present"), missing.getMessage());
        assertTrue(missing.getMessage().contains("fedavg"), "lists what is present: " + missing.getMessage());
        assertThrows(FederationException.class, () -> f.create(TestEnv.spec("checks").trainer("nosuch").build()));
        assertThrows(FederationException.class, () -> f.create(TestEnv.spec("checks").dataset("nosuch").build()));
        SettingsException settings = assertThrows(SettingsException.class,
                () -> f.create(TestEnv.spec("checks").strategySettings(Map.of("wieghted", "true")).build()));
        assertTrue(settings.getMessage().contains("unknown setting 'wieghted'"), settings.getMessage());
        assertThrows(SettingsException.class,
                () -> f.create(TestEnv.spec("checks").datasetSettings(Map.of("sites", 0)).build()));
        assertFalse(f.experiments().stream().anyMatch(s -> s.name().equals("checks")));

        f.create(TestEnv.spec("checks").build());
        FederationException twice = assertThrows(FederationException.class, () -> f.create(TestEnv.spec("checks").build()));
        assertTrue(twice.getMessage().contains("exists already"), twice.getMessage());
        assertTrue(java.nio.file.Files.exists(f.experimentsDirectory().resolve("checks").resolve("spec.json")));
        FederationException unknown = assertThrows(FederationException.class, () -> f.status("nosuch"));
        assertTrue(unknown.getMessage().contains("no experiment 'nosuch'"), unknown.getMessage());
        ExperimentNotFoundException notFound = assertThrows(ExperimentNotFoundException.class,
                () -> f.inspect("nosuch"));
        assertEquals("nosuch", notFound.experiment());
        assertThrows(ExperimentNotFoundException.class, () -> f.runRound("nosuch"));
    }

    @Test
    void listsTheServicesPresentNow() {
        FederationService f = env.fresh("unused");
        assertTrue(f.loaders().stream().anyMatch(l -> l.id().equals("fixture")));
        assertTrue(f.trainerFactories().stream().anyMatch(t -> t.id().equals("linreg")));
        assertFalse(f.strategies().stream().anyMatch(s -> s.id().equals(ScaledFedAvgStrategy.ID)));
        ServiceRegistration<?> r = env.register(new ScaledFedAvgStrategy());
        List<String> ids = f.strategies().stream().map(s -> s.id()).toList();
        assertEquals(ids.stream().sorted().toList(), ids, "sorted by id");
        assertTrue(ids.contains(ScaledFedAvgStrategy.ID));
        r.unregister();
        assertFalse(f.strategies().stream().anyMatch(s -> s.id().equals(ScaledFedAvgStrategy.ID)));
    }
}
