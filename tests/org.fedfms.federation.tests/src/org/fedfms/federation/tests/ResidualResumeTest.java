package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.fedfms.api.ParameterSet;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.ExperimentStatus.State;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.TestFiles;
import org.junit.jupiter.api.Test;

/** Simulated sites' error-feedback residuals kept beside the checkpoints: a resumed coded run goes on from them. */
class ResidualResumeTest extends OnTestEnv {

    @Test
    void aResumedCodedRunEqualsAnUninterruptedOneAndWithoutItsResidualsItDoesNot() throws Exception {
        FederationService f = env.fresh("coded-straight");
        env.fresh("coded-resumed");
        env.fresh("coded-lost");
        ExperimentSpecBuilder spec = TestEnv.spec("coded-straight").rounds(6).learningRate(0.05)
                .encoding("up=topk:0.3");
        f.create(spec.build());
        f.create(spec.name("coded-resumed").build());
        f.create(spec.name("coded-lost").build());
        assertEquals(State.COMPLETED, f.start("coded-straight").get(60, TimeUnit.SECONDS).state());
        f.runRounds("coded-resumed", 3);
        f.runRounds("coded-lost", 3);
        Path residuals = f.experimentsDirectory().resolve("coded-resumed").resolve("residuals");
        try (var files = Files.list(residuals)) {
            assertEquals(4, files.filter(p -> p.toString().endsWith(".residual")).count(), "one file per site");
        }

        FederationService g = env.restartFederation();
        TestFiles.deleteTree(g.experimentsDirectory().resolve("coded-lost").resolve("residuals"));
        for (String name : new String[] {"coded-resumed", "coded-lost"}) {
            ExperimentStatus done = g.resume(name).get(60, TimeUnit.SECONDS);
            assertEquals(State.COMPLETED, done.state(), done.message());
        }

        ParameterSet straight = g.globalParameters("coded-straight");
        ParameterSet resumed = g.globalParameters("coded-resumed");
        ParameterSet lost = g.globalParameters("coded-lost");
        assertTrue(TestEnv.bitwiseEqual(straight, resumed), "the resumed coded run differs from the uninterrupted "
                + "one by " + straight.maxAbsDifference(resumed));
        assertTrue(straight.maxAbsDifference(lost) > 1e-6, "without its residuals the run loses what its sites had "
                + "not yet sent: " + straight.maxAbsDifference(lost));
    }
}
