package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.internal.ScriptRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gogo scripts as {@code fedfms run FILE} runs them (the launcher's {@link ScriptRunner}): parameters as
 * variables, a stop at the first failing statement, and the shipped scripts run on the fixture.
 */
class ScriptTest {

    private Shell shell;
    private Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ScriptRunner runner;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-script-test");
        runner = new ScriptRunner(shell.processor, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void scriptTakesVariablesAndStopsAtTheFirstFailingStatement() {
        FederationService f = shell.federation();
        shell.forget("shell-script");
        shell.forget("shell-script-after");
        String program = """
                # a script with one parameter and an error on line 5
                rounds = ${rounds:-5}
                fedfms:experiment --replace %s --rounds $rounds shell-script
                fedfms:run shell-script
                fedfms:run nosuch
                fedfms:experiment %s shell-script-after
                """.formatted(Shell.FIXTURE, Shell.FIXTURE);
        int rc = runner.run(program, "test.gogo", Map.of("rounds", "2"));
        assertEquals(1, rc, out() + err());
        assertTrue(err().contains("fedfms: test.gogo:5: 'fedfms:run nosuch' failed: no experiment 'nosuch'"), err());
        assertEquals(2, f.spec("shell-script").schedule().rounds());
        assertEquals(2, f.history("shell-script").size());
        assertTrue(f.experiments().stream().noneMatch(s -> s.name().equals("shell-script-after")),
                "nothing after the failing statement ran");
        assertTrue(out().contains("[shell-script] round 2/2 done in"), out());
        assertFalse(out().startsWith("2"), "an assignment's value is not printed: " + out());

        ByteArrayOutputStream syntax = new ByteArrayOutputStream();
        ScriptRunner r = new ScriptRunner(shell.processor, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(syntax, true, StandardCharsets.UTF_8));
        assertEquals(1, r.run("fedfms:experiments\nfedfms:status {unclosed", "broken.gogo", Map.of()));
        assertTrue(syntax.toString(StandardCharsets.UTF_8).startsWith("fedfms: broken.gogo: syntax error"),
                syntax.toString(StandardCharsets.UTF_8));
    }

    @Test
    void paperTableScriptRunsTheFourExperimentsAndComparesThem() throws Exception {
        FederationService f = shell.federation();
        Path script = Shell.checkoutRoot().resolve("releng/experiments/paper-table.gogo");
        Map<String, String> fixture = Map.of("trainer", "linreg", "dataset", "fixture", "model", "linreg",
                "unseen", "site-2", "rounds", "2", "lr", "0.05", "prefix", "shell-paper", "out", tmp.toString(),
                "data", "");
        int rc = runner.run(Files.readString(script, StandardCharsets.UTF_8), script.toString(), fixture);
        assertEquals(0, rc, err());

        ExperimentSpec fedmsa = f.spec("shell-paper-fedmsa");
        assertEquals("msa", fedmsa.adapter());
        assertEquals(ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT, fedmsa.protocol());
        assertEquals("site-2", fedmsa.unseenSite());
        assertEquals(Map.of("holdOutSite", "site-2"), fedmsa.datasetSettings());
        assertEquals("full", f.spec("shell-paper-fedsam").adapter());
        assertEquals(ExperimentSpec.Protocol.CENTRALIZED, f.spec("shell-paper-centralized").protocol());
        assertEquals(ExperimentSpec.Protocol.LOCAL_ONLY, f.spec("shell-paper-local").protocol());
        for (String e : List.of("centralized", "fedsam", "fedmsa", "local")) {
            assertEquals(2, f.history("shell-paper-" + e).size(), e);
            assertTrue(Files.isRegularFile(tmp.resolve("shell-paper-" + e).resolve("experiment.json")), e);
        }
        String output = out();
        String table = output.substring(output.lastIndexOf("shell-paper-centralized vs"));
        for (String row : List.of("centralized (msa)", "FedSAM", "FedMSA", "local-only (msa)", "site-2 (unseen, test)",
                "pooled (val)")) {
            assertTrue(table.contains(row), row + " in\n" + table);
        }
    }

    @Test
    void demoScriptComparesFedmsaWithFedsamAndSaysWhatIsMissing() throws Exception {
        Path script = Shell.checkoutRoot().resolve("features/org.fedfms.core.feature/rootfiles/demo.gogo");
        String text = Files.readString(script, StandardCharsets.UTF_8);

        int missing = runner.run(text, "demo.gogo", Map.of("trainer", "nosuch"));
        assertEquals(1, missing);
        assertTrue(err().contains("trainer factory 'nosuch' is not present"), err());

        err.reset();
        int rc = runner.run(text, "demo.gogo", Map.of("trainer", "linreg", "dataset", "fixture", "model", "linreg",
                "lr", "0.05", "data", "", "out", tmp.toString()));
        assertEquals(0, rc, err());
        String output = out();
        String table = output.substring(output.lastIndexOf("demo-fedmsa vs demo-fedsam"));
        assertTrue(table.contains("FedMSA") && table.contains("FedSAM"), table);
        assertTrue(output.contains("exported experiment 'demo-fedsam' (6 rounds) to " + tmp.resolve("demo-fedsam")),
                output);
        assertTrue(output.contains(tmp.resolve("demo-fedmsa").resolve("rounds.csv").toString()), output);
        assertTrue(output.contains("[demo-fedmsa] round 6/6 done in"), output);
        assertTrue(output.contains("trainer 'linreg' has no prediction exporter"), output);
    }

    @Test
    void demoScriptRunsOnTheDjlTrainerAndExportsOverlays() throws Exception {
        FederationService f = shell.federation();
        Shell.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl")), "the djl trainer");
        Path script = Shell.checkoutRoot().resolve("features/org.fedfms.core.feature/rootfiles/demo.gogo");
        int rc = runner.run(Files.readString(script, StandardCharsets.UTF_8), "demo.gogo", Map.of("data",
                "sites=2,samplesPerSite=8,imageSize=32,slicesPerCase=1,validationFraction=0.25", "rounds", "1",
                "epochs", "1", "options", "localSteps=1", "overlays", "1", "out", tmp.toString()));
        assertEquals(0, rc, err());
        String output = out();
        assertTrue(output.contains("per-sample metrics of the initial (untrained) model on 4 samples"), output);
        String table = output.substring(output.lastIndexOf("demo-fedmsa vs demo-fedsam"));
        assertTrue(table.contains("dice") && table.contains("iou") && table.contains("hd95")
                && table.contains("trainable params"), table);
        for (String e : List.of("demo-fedmsa", "demo-fedsam")) {
            Path overlays = tmp.resolve(e).resolve("overlays");
            for (String site : List.of("site-1", "site-2")) {
                try (var pngs = Files.list(overlays)) {
                    List<Path> files = pngs.filter(p -> p.getFileName().toString().startsWith(site + "_")).toList();
                    assertEquals(1, files.size(), e + " " + site + ": " + files);
                    assertTrue(output.contains(files.get(0).toString()), "the PNG's path is printed: " + files.get(0));
                }
            }
            assertTrue(output.contains(tmp.resolve(e).resolve("samples.csv").toString()), output);
        }
    }
}
