package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/** The experiment option {@code --ditto λ}: the trainer option dittoLambda, beside {@code --options}. */
class DittoOptionTest extends OnShell {

    @Test
    void theOptionSetsDittoLambdaBesideTheOtherTrainerOptionsAndPersonalMetricsArrive() throws Exception {
        shell.forget("shell-ditto");
        FederationService f = shell.federation();
        String created = shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 1 --sites 2 --options noise=0.1 "
                + "--ditto 0.5 shell-ditto");
        assertTrue(created.contains("ready"), created);
        assertEquals(Map.of("noise", 0.1, "dittoLambda", 0.5), f.spec("shell-ditto").trainerOptions());
        shell.run("fedfms:run shell-ditto");
        RoundResult r = f.history("shell-ditto").get(0);
        assertTrue(r.evaluationMetrics().get("mse").isPresent() && r.evaluationMetrics().get("personal_mse")
                .isPresent(), r.evaluationMetrics().toString());
        shell.forget("shell-ditto");
    }

    @Test
    void aBadOrDoubledLambdaNamesTheOption() {
        String twice = shell.error("fedfms:experiment " + Shell.FIXTURE
                + " --options dittoLambda=0.1 --ditto 0.2 shell-ditto-bad");
        assertTrue(twice.contains("--ditto 0.2 and --options dittoLambda=0.1 both set"), twice);
        String negative = shell.error("fedfms:experiment " + Shell.FIXTURE + " --ditto -1 shell-ditto-bad");
        assertTrue(negative.contains("--ditto: '-1' is below 0"), negative);
        String word = shell.error("fedfms:experiment " + Shell.FIXTURE + " --ditto high shell-ditto-bad");
        assertTrue(word.contains("--ditto: 'high' is not a number"), word);
    }
}
