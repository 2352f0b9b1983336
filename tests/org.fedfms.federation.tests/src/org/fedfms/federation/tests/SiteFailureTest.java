package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.junit.jupiter.api.Test;

/** Sites that throw, miss the deadline or send bad updates; empty data; pausing and cancelling runs. */
class SiteFailureTest extends OnTestEnv {


    private static SiteRoundResult site(RoundResult r, String id) {
        return r.sites().stream().filter(s -> s.siteId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void throwingAndLateSitesFailAndTheRoundGoesOnWithMinSites() {
        FederationService f = env.fresh("faulty");
        f.create(TestEnv.spec("faulty").rounds(2).minSites(2).roundDeadlineSeconds(1.0)
                .trainerOptions(Map.of("failSite", "site-1", "slowSite", "site-2", "slowMillis", 60_000)).build());
        long t0 = System.nanoTime();
        List<RoundResult> rounds = f.runRounds("faulty", 2);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(seconds < 20, "two rounds with a 1 s deadline took " + seconds + " s");
        for (RoundResult r : rounds) {
            assertEquals(2, r.okSites());
            SiteRoundResult thrower = site(r, "site-1");
            assertEquals(SiteRoundResult.Status.FAILED, thrower.status());
            assertTrue(thrower.error().contains("simulated failure in round " + r.round()), thrower.error());
            assertEquals(0, thrower.sampleCount());
            SiteRoundResult late = site(r, "site-2");
            assertEquals(SiteRoundResult.Status.FAILED, late.status());
            assertTrue(late.error().contains("deadline of 1.0 s")
                    || late.error().contains("still busy"), late.error());
            assertEquals(SiteRoundResult.Status.OK, site(r, "site-0").status());
            assertNull(site(r, "site-0").error());
        }
        assertEquals(State.COMPLETED, f.status("faulty").state());
        assertTrue(rounds.get(0).bytesUp() == 2 * 16, "only delivered updates count up: " + rounds.get(0).bytesUp());
        TestEnv.awaitTrue(() -> env.events("faulty", FederationEvent.SiteFinished.class).size() == 8, "8 site events");
        long failed = env.events("faulty", FederationEvent.SiteFinished.class).stream()
                .filter(e -> e.site().status() == SiteRoundResult.Status.FAILED).count();
        assertEquals(4, failed);
    }

    @Test
    void tooFewSitesPauseTheExperimentAndKeepTheGlobalModel() {
        FederationService f = env.fresh("toofew");
        f.create(TestEnv.spec("toofew").rounds(3).minSites(3).roundDeadlineSeconds(1.0)
                .trainerOptions(Map.of("failSite", "site-1", "slowSite", "site-2", "slowMillis", 60_000)).build());
        ParameterSet before = f.globalParameters("toofew");
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("toofew"));
        assertTrue(e.getMessage().contains("round 1 of experiment 'toofew': only 2 of 4 chosen sites delivered a "
                + "usable update but minSites is 3"), e.getMessage());
        assertTrue(e.getMessage().contains("site-1: fit failed") && e.getMessage().contains("site-2: missed"),
                e.getMessage());
        ExperimentStatus s = f.status("toofew");
        assertEquals(State.PAUSED, s.state());
        assertEquals(e.getMessage(), s.message());
        assertEquals(0, s.completedRounds());
        assertEquals(0, f.history("toofew").size());
        assertTrue(TestEnv.bitwiseEqual(before, f.globalParameters("toofew")));
        assertEquals(java.util.List.of("spec.json", "starting-point.json"), java.util.Arrays.stream(
                f.experimentsDirectory().resolve("toofew").toFile().list()).sorted().toList(),
                "only the spec and the starting point recorded at creation");
    }

    @Test
    void badUpdatesFailTheirSitesAndNeverReachTheModel() {
        FederationService f = env.fresh("bad");
        f.create(TestEnv.spec("bad").rounds(1).minSites(2)
                .trainerOptions(Map.of("nanSite", "site-0", "shapeSite", "site-3")).build());
        RoundResult r = f.runRound("bad");
        assertEquals(2, r.okSites());
        assertTrue(site(r, "site-0").error().contains("non-finite value: linear.weight[1] = NaN"),
                site(r, "site-0").error());
        assertTrue(site(r, "site-3").error().contains("'linear.weight' has shape [3, 1], expected [1, 3]"),
                site(r, "site-3").error());
        assertEquals(SiteRoundResult.Status.FAILED, site(r, "site-3").status());
        assertEquals(null, f.globalParameters("bad").firstNonFinite());

        f.remove("bad", true);
        f.create(TestEnv.spec("bad").rounds(1).trainerOptions(Map.of("nanSite", "*")).build());
        ParameterSet before = f.globalParameters("bad");
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("bad"));
        assertTrue(e.getMessage().contains("only 0 of 4 chosen sites"), e.getMessage());
        assertTrue(e.getMessage().contains("global model is unchanged"), e.getMessage());
        assertTrue(TestEnv.bitwiseEqual(before, f.globalParameters("bad")));
    }

    @Test
    void zeroTrainingSamplesIsAClearError() {
        FederationService f = env.fresh("empty");
        f.create(TestEnv.spec("empty").datasetSettings(Map.of("trainSamples", 0)).build());
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("empty"));
        assertTrue(e.getMessage().contains("the training sites hold 0 training samples in total (site-0: 0, site-1: 0,"),
                e.getMessage());
        assertTrue(e.getMessage().contains("trainSamples=0"), "names the dataset settings: " + e.getMessage());
        assertEquals(State.FAILED, f.status("empty").state());
        TestEnv.awaitTrue(() -> !env.events("empty", FederationEvent.ExperimentFailed.class).isEmpty(), "failed event");
    }

    @Test
    void trainerFactoryLeavingPausesAndItsReturnRebuildsTheSites() throws Exception {
        FederationService f = env.fresh("trainer-gone");
        var registration = env.register(new LinRegTrainerFactory("linreg-b"));
        f.create(TestEnv.spec("trainer-gone").trainer("linreg-b").rounds(4).build());
        f.runRounds("trainer-gone", 2);
        ParameterSet kept = f.globalParameters("trainer-gone");
        registration.unregister();
        FederationException e = assertThrows(FederationException.class, () -> f.runRound("trainer-gone"));
        assertTrue(e.getMessage().contains("trainer factory 'linreg-b' is no longer present"), e.getMessage());
        assertEquals(State.PAUSED, f.status("trainer-gone").state());
        assertTrue(TestEnv.bitwiseEqual(kept, f.globalParameters("trainer-gone")));

        env.register(new LinRegTrainerFactory("linreg-b"));
        ExperimentStatus done = f.resume("trainer-gone").get(30, TimeUnit.SECONDS);
        assertEquals(State.COMPLETED, done.state(), done.message());
        assertEquals(List.of(1, 2, 3, 4), f.history("trainer-gone").stream().map(RoundResult::round).toList());
    }

    @Test
    void pauseStopsAfterTheRoundAndResumeGoesOn() throws Exception {
        FederationService f = env.fresh("pausing");
        f.create(TestEnv.spec("pausing").rounds(12).trainerOptions(Map.of("fitDelayMillis", 30)).build());
        CompletableFuture<ExperimentStatus> run = f.start("pausing");
        TestEnv.awaitTrue(() -> f.status("pausing").completedRounds() >= 1, "a round");
        assertThrows(FederationException.class, () -> f.runRound("pausing"), "busy while running");
        assertEquals(State.RUNNING, f.pause("pausing").state());
        ExperimentStatus paused = run.get(30, TimeUnit.SECONDS);
        assertEquals(State.PAUSED, paused.state());
        assertTrue(paused.completedRounds() < 12);
        assertEquals(paused.completedRounds(), f.history("pausing").size());
        ExperimentStatus done = f.resume("pausing").get(30, TimeUnit.SECONDS);
        assertEquals(State.COMPLETED, done.state(), done.message());
        assertEquals(12, f.history("pausing").size());
    }

    @Test
    void cancelAbandonsTheRoundInProgressAndKeepsTheModel() throws Exception {
        FederationService f = env.fresh("cancel");
        f.create(TestEnv.spec("cancel").rounds(3).roundDeadlineSeconds(120)
                .trainerOptions(Map.of("slowSite", "site-3", "slowMillis", 60_000)).build());
        CompletableFuture<ExperimentStatus> run = f.start("cancel");
        TestEnv.awaitTrue(() -> env.events("cancel", FederationEvent.SiteFinished.class).size() >= 3,
                "three fast sites finished");
        long t0 = System.nanoTime();
        ExperimentStatus s = f.cancel("cancel");
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10, "cancel does not wait for the site");
        assertTrue(run.isDone());
        assertEquals(State.PAUSED, s.state());
        assertTrue(s.message().contains("round 1 of experiment 'cancel' was cancelled"), s.message());
        assertEquals(0, s.completedRounds());
        assertEquals(0, f.history("cancel").size());
    }
}
