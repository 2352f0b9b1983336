package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.internal.CheckpointStore;
import org.fedfms.federation.internal.FederationServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

import com.google.gson.JsonParser;

/**
 * A background run interrupted by the federation service stopping (as by a crash or a restart) goes on by
 * itself in the next service, once what its rounds need is present; a user's pause, and the switch
 * {@value FederationServiceImpl#AUTO_RESUME_PROPERTY}, keep it paused.
 */
class AutoResumeTest extends OnTestEnv {

    private static final String RUN_FILE = "run.json";
    private static final long RUN_MILLIS = 60_000;

    /** Before the environment closes (and starts the federation bundle again, if stopped): no auto-resume. */
    @AfterEach
    void clearAutoResume() {
        System.clearProperty(FederationServiceImpl.AUTO_RESUME_PROPERTY);
    }

    /** Ten rounds of the momentum strategy (its state crosses rounds), slow enough to be stopped mid-run. */
    private static ExperimentSpecBuilder spec(String name) {
        return TestEnv.spec(name).rounds(10).fractionPerRound(0.6).minSites(2).datasetSettings(Map.of("sites", 5))
                .strategy(ServerMomentumStrategy.ID).strategySettings(Map.of("beta", 0.7)).seed(4321)
                .trainerOptions(Map.of("fitDelayMillis", 100));
    }

    /** Starts a background run, stops the federation bundle once {@code after} rounds are done; the rounds kept. */
    /** A new service and the rounds kept, after a run interrupted past round 1 and restored without its strategy. */
    private record Restored(FederationService service, int kept) {
    }

    private Restored interruptedWithoutItsStrategy(String name) throws Exception {
        FederationService f = env.fresh(name);
        ServiceRegistration<AggregationStrategy> momentum = env.register(new ServerMomentumStrategy());
        f.create(spec(name).build());
        int kept = interrupt(f, name, 1);
        momentum.unregister();
        return new Restored(restart(f), kept);
    }

    private int interrupt(FederationService f, String name, int after) throws Exception {
        f.start(name);
        TestEnv.awaitTrue(() -> f.status(name).completedRounds() >= after, after + " rounds of " + name);
        Path dir = f.experimentsDirectory().resolve(name);
        assertEquals(10, untilRound(dir), "the run is recorded while it goes on");
        env.bundle("org.fedfms.federation").stop();
        int kept = new CheckpointStore(dir).latest().orElseThrow().round();
        assertTrue(kept >= after && kept < 10, "stopped mid-run after round " + kept);
        assertTrue(Files.exists(dir.resolve(RUN_FILE)), "a service stopping keeps the record of the run");
        return kept;
    }

    private static int untilRound(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve(RUN_FILE))).getAsJsonObject().get("untilRound")
                .getAsInt();
    }

    /** The federation bundle started again; the new service. */
    private FederationService restart(FederationService old) throws Exception {
        env.bundle("org.fedfms.federation").start();
        FederationService g = env.federation();
        assertNotSame(old, g, "a new federation service");
        return g;
    }

    private static ExperimentStatus awaitState(FederationService f, String name, State state) {
        long end = System.currentTimeMillis() + RUN_MILLIS;
        ExperimentStatus s = f.status(name);
        while (s.state() != state) {
            assertTrue(System.currentTimeMillis() < end, "timed out waiting for " + name + " to be " + state + ": " + s);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            s = f.status(name);
        }
        return s;
    }

    /** Lets several of the service's once-a-second checks pass. */
    private static void letChecksPass() throws InterruptedException {
        Thread.sleep(2_500);
    }

    @Test
    void aRunInterruptedByAStopGoesOnByItselfAndEqualsAnUninterruptedRunBitwise() throws Exception {
        FederationService f = env.fresh("auto-straight");
        env.fresh("auto-resumed");
        env.register(new ServerMomentumStrategy());
        f.create(spec("auto-straight").build());
        f.create(spec("auto-resumed").build());
        assertEquals(State.COMPLETED, f.start("auto-straight").get(RUN_MILLIS, TimeUnit.MILLISECONDS).state());
        Path straightDir = f.experimentsDirectory().resolve("auto-straight");
        assertFalse(Files.exists(straightDir.resolve(RUN_FILE)), "a completed run removes its record");

        int kept = interrupt(f, "auto-resumed", 2);
        env.events.clear();
        FederationService g = restart(f);
        ExperimentStatus done = awaitState(g, "auto-resumed", State.COMPLETED);
        assertEquals(10, done.completedRounds(), done.message());

        List<RoundResult> history = g.history("auto-resumed");
        assertEquals(IntStream.rangeClosed(1, 10).boxed().toList(), history.stream().map(RoundResult::round).toList(),
                "every round once");
        TestEnv.awaitTrue(() -> !env.events("auto-resumed", FederationEvent.ExperimentCompleted.class).isEmpty(),
                "completed event");
        assertEquals(IntStream.rangeClosed(kept + 1, 10).boxed().toList(),
                env.events("auto-resumed", FederationEvent.RoundCompleted.class).stream().map(r -> r.result().round())
                        .filter(r -> r > kept).toList(), "the new service ran each round after round " + kept + " once");
        ParameterSet straight = g.globalParameters("auto-straight");
        ParameterSet resumed = g.globalParameters("auto-resumed");
        assertTrue(TestEnv.bitwiseEqual(straight, resumed),
                "the run that went on by itself differs from the uninterrupted one by "
                        + straight.maxAbsDifference(resumed));
        List<RoundResult> reference = g.history("auto-straight");
        for (int i = 0; i < 10; i++) {
            assertEquals(reference.get(i).evaluationMetrics(), history.get(i).evaluationMetrics(), "round " + (i + 1));
        }
        assertFalse(Files.exists(g.experimentsDirectory().resolve("auto-resumed").resolve(RUN_FILE)),
                "the finished run removed its record");
    }

    @Test
    void anExperimentPausedByItsUserStaysPausedAfterARestart() throws Exception {
        FederationService f = env.fresh("auto-user-paused");
        env.register(new ServerMomentumStrategy());
        f.create(spec("auto-user-paused").build());
        var run = f.start("auto-user-paused");
        TestEnv.awaitTrue(() -> f.status("auto-user-paused").completedRounds() >= 1, "a round");
        f.pause("auto-user-paused");
        ExperimentStatus paused = run.get(RUN_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(State.PAUSED, paused.state());
        Path dir = f.experimentsDirectory().resolve("auto-user-paused");
        assertFalse(Files.exists(dir.resolve(RUN_FILE)), "a paused run removes its record");

        env.bundle("org.fedfms.federation").stop();
        FederationService g = restart(f);
        letChecksPass();
        ExperimentStatus s = g.status("auto-user-paused");
        assertEquals(State.PAUSED, s.state(), s.message());
        assertEquals(paused.completedRounds(), s.completedRounds());
        assertTrue(s.message().contains("resume to go on"), s.message());
    }

    @Test
    void anInterruptedRunWaitsForItsStrategyAndStartsWhenItAppears() throws Exception {
        Restored r = interruptedWithoutItsStrategy("auto-waiting");
        FederationService g = r.service();
        int kept = r.kept();
        TestEnv.awaitTrue(() -> g.status("auto-waiting").message().contains("waiting for strategy '"
                + ServerMomentumStrategy.ID + "'"), () -> "says what it waits for: " + g.status("auto-waiting"));
        ExperimentStatus waiting = g.status("auto-waiting");
        assertEquals(State.PAUSED, waiting.state());
        assertEquals(kept, waiting.completedRounds());
        assertTrue(waiting.message().contains("the run to round 10 was interrupted after round " + kept),
                waiting.message());
        assertTrue(Files.exists(g.experimentsDirectory().resolve("auto-waiting").resolve(RUN_FILE)));

        env.register(new ServerMomentumStrategy());
        ExperimentStatus done = awaitState(g, "auto-waiting", State.COMPLETED);
        assertEquals(10, done.completedRounds());
        assertEquals(IntStream.rangeClosed(1, 10).boxed().toList(),
                g.history("auto-waiting").stream().map(RoundResult::round).toList());
    }

    @Test
    void aUserPauseOfAWaitingExperimentHoldsAcrossTheNextRestart() throws Exception {
        Restored r = interruptedWithoutItsStrategy("auto-held");
        FederationService g = r.service();
        int kept = r.kept();
        TestEnv.awaitTrue(() -> g.status("auto-held").message().contains("waiting for"), "waiting");
        ExperimentStatus paused = g.pause("auto-held");
        assertEquals(State.PAUSED, paused.state());
        assertTrue(paused.message().contains("paused at request after round " + kept), paused.message());
        Path dir = g.experimentsDirectory().resolve("auto-held");
        assertFalse(Files.exists(dir.resolve(RUN_FILE)), "the user's pause removes the record");
        TestEnv.awaitTrue(() -> env.events("auto-held", FederationEvent.ExperimentPaused.class).stream()
                .anyMatch(p -> p.message().equals(paused.message())), "the pause is published");

        env.register(new ServerMomentumStrategy());
        letChecksPass();
        assertEquals(State.PAUSED, g.status("auto-held").state());
        assertEquals(kept, g.status("auto-held").completedRounds());

        env.bundle("org.fedfms.federation").stop();
        FederationService h = restart(g);
        letChecksPass();
        ExperimentStatus after = h.status("auto-held");
        assertEquals(State.PAUSED, after.state(), after.message());
        assertEquals(kept, after.completedRounds());
        assertTrue(after.message().contains("resume to go on"), after.message());
    }

    @Test
    void withAutoResumeOffAnInterruptedRunWaitsForAResume() throws Exception {
        FederationService f = env.fresh("auto-off");
        env.register(new ServerMomentumStrategy());
        f.create(spec("auto-off").build());
        int kept = interrupt(f, "auto-off", 1);

        System.setProperty(FederationServiceImpl.AUTO_RESUME_PROPERTY, "false");
        FederationService g = restart(f);
        letChecksPass();
        ExperimentStatus s = g.status("auto-off");
        assertEquals(State.PAUSED, s.state(), s.message());
        assertEquals(kept, s.completedRounds());
        assertEquals("restored from the checkpoint of round " + kept + "; resume to go on", s.message());

        TestEnv.awaitTrue(() -> g.strategies().stream().anyMatch(x -> x.id().equals(ServerMomentumStrategy.ID)),
                "momentum bound to the new service");
        ExperimentStatus done = g.resume("auto-off").get(RUN_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(State.COMPLETED, done.state(), done.message());
        assertEquals(10, g.history("auto-off").size());
        assertFalse(Files.exists(g.experimentsDirectory().resolve("auto-off").resolve(RUN_FILE)));
    }

    @Test
    void aStaleOrUnreadableRunRecordIsRemovedAndTheExperimentRestoredAsBefore() throws Exception {
        FederationService f = env.fresh("auto-stale");
        env.fresh("auto-garbled");
        f.create(TestEnv.spec("auto-stale").rounds(4).build());
        f.create(TestEnv.spec("auto-garbled").rounds(4).build());
        f.runRounds("auto-stale", 2);
        f.runRounds("auto-garbled", 2);
        Path stale = f.experimentsDirectory().resolve("auto-stale").resolve(RUN_FILE);
        Path garbled = f.experimentsDirectory().resolve("auto-garbled").resolve(RUN_FILE);
        Files.writeString(stale, "{\"untilRound\": 2}\n");
        Files.writeString(garbled, "{\"untilRound\": ");

        env.bundle("org.fedfms.federation").stop();
        FederationService g = restart(f);
        letChecksPass();
        for (String name : List.of("auto-stale", "auto-garbled")) {
            ExperimentStatus s = g.status(name);
            assertEquals(State.PAUSED, s.state(), name + ": " + s.message());
            assertEquals(2, s.completedRounds(), name);
            assertEquals("restored from the checkpoint of round 2; resume to go on", s.message(), name);
        }
        assertFalse(Files.exists(stale), "a run that had reached its round is not continued");
        assertFalse(Files.exists(garbled), "an unreadable record is removed");
    }
}
