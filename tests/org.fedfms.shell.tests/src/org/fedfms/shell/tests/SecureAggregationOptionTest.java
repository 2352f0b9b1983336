package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/** The experiment option {@code --secure-aggregation}. */
class SecureAggregationOptionTest extends OnShell {

    @Test
    void theOptionSetsTheSpecKeyRunsAndRefusesWhatCannotWork() throws Exception {
        shell.forget("shell-secagg");
        shell.forget("shell-secagg-bad");
        FederationService f = shell.federation();
        String created = shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 --sites 4 "
                + "--secure-aggregation threshold=3 shell-secagg");
        assertTrue(created.contains("ready"), created);
        assertEquals("threshold=3", f.spec("shell-secagg").sharing().secureAggregation());
        shell.run("fedfms:run --rounds 2 shell-secagg");
        assertEquals(2, f.history("shell-secagg").size());

        String unweighted = shell.error("fedfms:experiment " + Shell.FIXTURE
                + " --secure-aggregation on shell-secagg-bad weighted=false");
        assertTrue(unweighted.contains("strategy 'fedavg'") && unweighted.contains("secure aggregation"), unweighted);
        String bad = shell.error("fedfms:experiment " + Shell.FIXTURE + " --secure-aggregation threshold=x shell-secagg-bad");
        assertTrue(bad.contains("'secureAggregation' (--secure-aggregation)") && bad.contains("not a whole number"), bad);
    }
}
