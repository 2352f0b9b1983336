package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --client-dp}: the option sets the spec's clientDp; ε shows in status, metrics and the export. */
class ClientDpCommandsTest {

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-shell-dp");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void epsilonIsInStatusMetricsAndExport() throws Exception {
        String name = "shell-dp";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 --sites 3 --client-dp clip=1,noise=1.5,delta=1e-5 "
                + name);
        assertEquals("clip=1,noise=1.5,delta=1e-5", f.spec(name).sharing().clientDp());
        shell.run("fedfms:run " + name);
        List<RoundResult> history = f.history(name);
        assertEquals(2, history.size());
        double eps = history.get(1).evaluationMetrics().get("dp_epsilon").getAsDouble();

        String status = shell.run("fedfms:status " + name);
        assertTrue(status.contains("dp_epsilon=" + DataTable.format(eps)), status);
        Table metrics = (Table) shell.execute("fedfms:metrics " + name);
        assertTrue(metrics.headers().contains("dp_epsilon"), metrics.headers().toString());
        assertEquals(DataTable.format(eps), metrics.column("dp_epsilon").get(4));

        shell.execute("fedfms:export " + name + " " + tmp.resolve("out"));
        List<String> csv = Files.readAllLines(tmp.resolve("out/rounds.csv"), StandardCharsets.UTF_8);
        assertTrue(List.of(csv.get(0).split(",")).containsAll(List.of("eval_dp_epsilon", "eval_dp_delta", "eval_dp_q")),
                csv.get(0));
        assertTrue(csv.get(2).contains("," + eps + ","), "round 2's row holds its epsilon " + eps + ": " + csv.get(2));
        shell.forget(name);
    }

    @Test
    void aBadSettingNamesTheOption() {
        String error = shell.error("fedfms:experiment " + Shell.FIXTURE + " --client-dp clip=1,delta=1e-5 shell-dp-bad");
        assertTrue(error.contains("'clientDp' (--client-dp)") && error.contains("'noise' is missing"), error);
    }
}
