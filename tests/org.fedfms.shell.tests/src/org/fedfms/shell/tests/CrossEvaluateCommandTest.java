package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fedfms:cross-evaluate} and export's cross-site.csv, through Gogo's CommandProcessor. */
class CrossEvaluateCommandTest {

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-cross-test");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void theMatrixIsPrintedAndExported() throws Exception {
        String name = "shell-cross";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 --sites 3 --local-parameters linear.bias "
                + name);
        assertEquals("linear.bias", f.spec(name).sharing().localParameters());
        shell.run("fedfms:run " + name);
        CrossSiteEvaluation expected = f.inspect(name).crossEvaluate(TrainingMonitor.NONE);

        Table t = (Table) shell.execute("fedfms:cross-evaluate " + name);
        assertEquals(List.of("model", "round", "site-0", "site-1", "site-2", "mean"), t.headers());
        assertEquals(List.of("global", "site-0", "site-1", "site-2"), t.column("model"));
        assertTrue(t.title().contains("mse of each model"), t.title());
        for (String site : List.of("site-0", "site-1", "site-2")) {
            List<String> cells = t.column(site);
            for (int r = 0; r < 4; r++) {
                CrossSiteEvaluation.Row row = expected.rows().get(r);
                assertEquals(DataTable.format(expected.value(row.model(), site)), cells.get(r), row.model() + "/" + site);
            }
        }

        shell.execute("fedfms:export " + name + " " + tmp.resolve("out"));
        List<String> lines = Files.readAllLines(tmp.resolve("out/cross-site.csv"), StandardCharsets.UTF_8);
        assertEquals("model,round,site-0,site-1,site-2,mean", lines.get(0));
        assertEquals(5, lines.size(), lines.toString());
        for (int r = 0; r < 4; r++) {
            CrossSiteEvaluation.Row row = expected.rows().get(r);
            List<String> cells = List.of(lines.get(r + 1).split(","));
            assertEquals(row.model(), cells.get(0));
            assertEquals(Integer.toString(row.fittedRound()), cells.get(1));
            List<Double> values = new ArrayList<>();
            for (int c = 2; c < 5; c++) {
                values.add(Double.parseDouble(cells.get(c)));
            }
            assertEquals(row.values(), values, row.model());
            assertEquals(row.mean(), Double.parseDouble(cells.get(5)), 1e-12);
        }
        String unknown = shell.error("fedfms:cross-evaluate no-such-experiment");
        assertTrue(unknown.contains("no-such-experiment"), unknown);
    }
}
