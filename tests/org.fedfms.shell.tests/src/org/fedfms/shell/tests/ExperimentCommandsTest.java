package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.FederationService;
import org.fedfms.federation.SiteProvider;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.Table;
import org.osgi.framework.ServiceRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The experiment commands, run through Gogo's CommandProcessor on the linear-regression fixture. */
class ExperimentCommandsTest {

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-shell-test");
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void experimentRunsSwapsStrategyRunsOnAndExports() throws Exception {
        String name = "shell-life";
        shell.forget(name);
        FederationService f = shell.federation();

        String created = shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 4 --sites 3 --seed 7 "
                + "--data trainSamples=12,validationSamples=4 " + name + " weighted=true");
        assertTrue(created.contains("ready"), created);
        assertEquals(ExperimentStatus.State.READY, f.status(name).state());
        assertTrue(created.contains("0 of 4"), created);
        ExperimentSpec spec = f.spec(name);
        assertEquals(4, spec.schedule().rounds());
        assertEquals(7L, spec.seed());
        assertEquals(0.05, spec.schedule().learningRate());
        assertEquals(4, spec.schedule().batchSize());
        assertEquals(Map.of("sites", 3L, "trainSamples", 12L, "validationSamples", 4L), spec.datasetSettings());
        assertEquals(Map.of("weighted", true), spec.strategySettings());

        Table afterTwo = (Table) shell.execute("fedfms:run --rounds 2 " + name);
        assertEquals(2, f.history(name).size());
        assertTrue(afterTwo.toString().contains("2 of 4"), afterTwo.toString());
        String progress = shell.output();
        assertTrue(progress.contains("[" + name + "] round 1/4: 3 sites training (site-0, site-1, site-2), strategy "
                + "fedavg"), progress);
        assertTrue(progress.contains("[" + name + "]   site-1: ok, 12 samples, loss "), progress);
        // progress inside the round: not a terminal, so a plain line as a site passes a quarter of its batches
        java.util.regex.Matcher batch = java.util.regex.Pattern.compile("\\[" + name
                + "]   site-1: batch (\\d+)/(\\d+), \\d+\\.\\d samples/s, ETA \\d+:\\d\\d").matcher(progress);
        assertTrue(batch.find(), progress);
        assertTrue(Integer.parseInt(batch.group(1)) < Integer.parseInt(batch.group(2)), progress);
        assertTrue(batch.start() < progress.indexOf("[" + name + "]   site-1: ok, 12 samples"), progress);
        assertTrue(progress.contains("[" + name + "] round 2/4 done in "), progress);
        String status = shell.run("fedfms:status " + name);
        assertTrue(status.contains("round 2: site-0 batch " + batch.group(2) + "/" + batch.group(2) + ", "), status);
        assertFalse(progress.contains("round 3/4"), progress);

        String swapped = shell.run("fedfms:strategy " + name + " fedavg weighted=false");
        assertTrue(swapped.startsWith("experiment " + name + ": strategy fedavg from round 3"), swapped);
        assertEquals(false, f.spec(name).strategySettings().get("weighted"));

        shell.run("fedfms:run " + name);
        List<RoundResult> history = f.history(name);
        assertEquals(4, history.size());
        assertEquals(ExperimentStatus.State.COMPLETED, f.status(name).state());
        assertEquals(true, history.get(1).strategySettings().get("weighted"));
        assertEquals(false, history.get(2).strategySettings().get("weighted"));
        assertTrue(history.get(2).note().contains("strategy swapped before round 3"), history.get(2).note());
        assertTrue(shell.output().contains("[" + name + "] completed: 4 rounds"), shell.output());

        Table metrics = (Table) shell.execute("fedfms:metrics " + name);
        assertEquals(List.of("round", "site", "status", "samples", "fit loss", "mse", "up", "down", "ms", "note"),
                metrics.headers());
        assertEquals(4 * 4, metrics.size());
        List<String> mse = metrics.column("mse");
        List<String> sites = metrics.column("site");
        for (int r = 0; r < 4; r++) {
            RoundResult round = history.get(r);
            assertEquals("(round)", sites.get(r * 4));
            assertEquals(DataTable.format(round.evaluationMetrics().values().get("mse")), mse.get(r * 4));
            assertEquals(round.okSites() + "/3 ok", metrics.column("status").get(r * 4));
            for (int s = 0; s < 3; s++) {
                SiteRoundResult site = round.sites().get(s);
                assertEquals(site.siteId(), sites.get(r * 4 + 1 + s));
                assertEquals(DataTable.format(site.evaluationMetrics().values().get("mse")), mse.get(r * 4 + 1 + s));
                assertEquals(new DataTable.ByteCount(site.bytesUp()).toString(), metrics.column("up").get(r * 4 + 1 + s));
            }
        }

        Object exported = shell.execute("fedfms:export " + name + " " + tmp.resolve("out"));
        String report = exported.toString();
        assertTrue(report.contains("rounds.csv") && report.contains("experiment.json"), report);
        assertTrue(report.contains("PNG overlays of predictions: none written; trainer 'linreg' has no prediction "
                + "exporter (exporters present: djl)"), report);
        checkRoundsCsv(tmp.resolve("out/rounds.csv"), name, history);
        checkSitesCsv(tmp.resolve("out/sites.csv"), name, history);
        checkExperimentJson(tmp.resolve("out/experiment.json"), f, name, history);
        try (Stream<Path> files = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of("cross-site.csv", "dice.png", "experiment.json", "loss.png", "rounds.csv",
                    "sites.csv"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files are left");
        }

        String again = shell.error("fedfms:run " + name);
        assertTrue(again.contains("has completed its 4 planned rounds") && again.contains("--rounds N"), again);
    }

    private static void checkRoundsCsv(Path file, String name, List<RoundResult> history) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(1 + history.size(), lines.size(), lines.toString());
        List<String> header = List.of(lines.get(0).split(","));
        assertEquals(List.of("experiment", "round", "strategy", "strategy_settings", "sites_ok", "sites_failed",
                "sites_skipped", "samples", "fit_loss", "eval_mse", "bytes_up", "bytes_down", "duration_ms",
                "completed_at", "note"), header);
        for (int r = 0; r < history.size(); r++) {
            RoundResult round = history.get(r);
            List<String> cells = csv(lines.get(r + 1));
            assertEquals(name, cells.get(0));
            assertEquals(Integer.toString(round.round()), cells.get(1));
            assertEquals("fedavg", cells.get(2));
            assertTrue(cells.get(3).contains("weighted=" + round.strategySettings().get("weighted")), cells.get(3));
            assertEquals("3", cells.get(4));
            assertEquals("36", cells.get(7));
            assertEquals(round.fitMetrics().values().get("loss"), Double.parseDouble(cells.get(8)));
            assertEquals(round.evaluationMetrics().values().get("mse"), Double.parseDouble(cells.get(9)));
            assertEquals(round.bytesUp(), Long.parseLong(cells.get(10)));
            assertEquals(round.bytesDown(), Long.parseLong(cells.get(11)));
            assertEquals(round.durationMillis(), Long.parseLong(cells.get(12)));
            assertEquals(round.completedAt().toString(), cells.get(13));
            assertEquals(round.note(), cells.get(14));
        }
    }

    private static void checkSitesCsv(Path file, String name, List<RoundResult> history) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(1 + 3 * history.size(), lines.size(), lines.toString());
        assertEquals("experiment,round,site,status,samples,fit_loss,eval_mse,bytes_up,bytes_down,duration_ms,error",
                lines.get(0));
        int line = 1;
        for (RoundResult round : history) {
            for (SiteRoundResult s : round.sites()) {
                List<String> cells = csv(lines.get(line++));
                assertEquals(List.of(name, Integer.toString(round.round()), s.siteId(), "ok", "12"),
                        cells.subList(0, 5));
                assertEquals(s.fitMetrics().values().get("loss"), Double.parseDouble(cells.get(5)));
                assertEquals(s.evaluationMetrics().values().get("mse"), Double.parseDouble(cells.get(6)));
                assertEquals(12L, s.bytesUp());
                assertEquals("12", cells.get(7));
                assertEquals(Long.toString(s.bytesDown()), cells.get(8));
                assertEquals(Long.toString(s.durationMillis()), cells.get(9));
                assertEquals("", cells.get(10));
            }
        }
    }

    private static void checkExperimentJson(Path file, FederationService f, String name, List<RoundResult> history)
            throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals(name, root.get("experiment").getAsString());
        JsonObject spec = root.getAsJsonObject("spec");
        assertEquals(4, spec.get("rounds").getAsInt());
        assertEquals("linreg", spec.get("trainer").getAsString());
        assertEquals(false, spec.getAsJsonObject("strategySettings").get("weighted").getAsBoolean());
        assertEquals("completed", root.getAsJsonObject("status").get("state").getAsString());
        JsonObject fin = root.getAsJsonObject("final");
        assertEquals(3, fin.get("trainableParameters").getAsLong());
        assertEquals(f.globalParameters(name).parameterCount(), fin.get("trainableParameters").getAsLong());
        RoundResult last = history.get(history.size() - 1);
        assertEquals(last.evaluationMetrics().values().get("mse"),
                fin.getAsJsonObject("evaluation").get("mse").getAsDouble());
        assertEquals(history.stream().mapToLong(RoundResult::bytesUp).average().orElseThrow(),
                fin.get("bytesUpPerRound").getAsDouble());
        JsonArray rounds = root.getAsJsonArray("history");
        assertEquals(history.size(), rounds.size());
        for (int r = 0; r < history.size(); r++) {
            JsonObject o = rounds.get(r).getAsJsonObject();
            RoundResult round = history.get(r);
            assertEquals(round.round(), o.get("round").getAsInt());
            assertEquals(round.evaluationMetrics().values().get("mse"),
                    o.getAsJsonObject("evaluationMetrics").get("mse").getAsDouble());
            assertEquals(round.fitMetrics().values().get("loss"),
                    o.getAsJsonObject("fitMetrics").get("loss").getAsDouble());
            assertEquals(round.bytesUp(), o.get("bytesUp").getAsLong());
            JsonArray sites = o.getAsJsonArray("sites");
            for (int s = 0; s < 3; s++) {
                JsonObject site = sites.get(s).getAsJsonObject();
                assertEquals(round.sites().get(s).siteId(), site.get("site").getAsString());
                assertEquals(round.sites().get(s).evaluationMetrics().values().get("mse"),
                        site.getAsJsonObject("evaluationMetrics").get("mse").getAsDouble());
            }
        }
    }

    /** The cells of one CSV line (quoted fields allowed). */
    private static List<String> csv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    @Test
    void replaceCancelsARunningExperimentFirst() throws Exception {
        String name = "shell-replace-running";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 200 --options fitDelayMillis=50 " + name);
        f.start(name);
        Shell.awaitTrue(() -> f.history(name).size() >= 1, "a first completed round");
        assertEquals(ExperimentStatus.State.RUNNING, f.status(name).state());

        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 3 --replace " + name);
        ExperimentStatus s = f.status(name);
        assertEquals(ExperimentStatus.State.READY, s.state(), s.toString());
        assertEquals(0, s.completedRounds());
        assertEquals(3, s.plannedRounds());
        try (Stream<Path> files = Files.list(f.experimentsDirectory().resolve(name))) {
            assertEquals(List.of("spec.json", "starting-point.json"), files.map(p -> p.getFileName().toString())
                    .sorted().toList(), "the old experiment's checkpoints and run record are gone");
        }
        shell.forget(name);
    }

    @Test
    void specIsSavedLoadedUnderAnotherNameAndRemoved() throws Exception {
        shell.forget("shell-saved");
        shell.forget("shell-loaded");
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 3 --protocol leave-one-site-out "
                + "--unseen-site site-2 --fraction 0.5 --min-sites 1 --deadline 20 --options noise=0.1 shell-saved");
        Path file = tmp.resolve("spec.json");
        String saved = shell.run("fedfms:experiment-save shell-saved " + file);
        assertTrue(saved.contains(file.toString()), saved);
        shell.run("fedfms:experiment-load --name shell-loaded " + file);
        ExperimentSpec a = f.spec("shell-saved");
        ExperimentSpec b = f.spec("shell-loaded");
        assertEquals(a.toBuilder().name("shell-loaded").build(), b);
        assertEquals(ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT, b.protocol());
        assertEquals(0.5, b.participation().fractionPerRound());
        assertEquals(Map.of("noise", 0.1), b.trainerOptions());

        String listed = shell.run("fedfms:experiments");
        assertTrue(listed.contains("shell-loaded") && listed.contains("leave-one-site-out"), listed);

        String taken = shell.error("fedfms:experiment-load --name shell-loaded " + file);
        assertTrue(taken.contains("exists already"), taken);
        shell.run("fedfms:experiment-load --replace --name shell-loaded " + file);

        Path dir = f.experimentsDirectory().resolve("shell-loaded");
        assertTrue(Files.isDirectory(dir));
        String removed = shell.run("fedfms:remove shell-loaded");
        assertTrue(removed.contains("removed experiment 'shell-loaded'"), removed);
        assertFalse(Files.exists(dir));
        assertTrue(f.experiments().stream().noneMatch(s -> s.name().equals("shell-loaded")));
        String gone = shell.error("fedfms:remove shell-loaded");
        assertTrue(gone.contains("no experiment 'shell-loaded'"), gone);
        String missing = shell.error("fedfms:experiment-load " + tmp.resolve("nosuch.json"));
        assertTrue(missing.contains("no experiment spec file") && missing.contains("nosuch.json"), missing);
    }

    @Test
    void compareShowsMethodMetricsParametersBytesAndTimePerRound() throws Exception {
        FederationService f = shell.federation();
        shell.forget("shell-cmp-fed");
        shell.forget("shell-cmp-loso");
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 shell-cmp-fed");
        shell.run("fedfms:experiment " + Shell.FIXTURE.replace("--adapter none", "--adapter msa")
                + " --rounds 2 --protocol leave-one-site-out "
                + "--unseen-site site-2 --data holdOutSite=site-2 shell-cmp-loso");
        shell.run("fedfms:run shell-cmp-fed");
        shell.run("fedfms:run shell-cmp-loso");

        Table t = (Table) shell.execute("fedfms:compare shell-cmp-fed shell-cmp-loso");
        assertEquals(List.of("experiment", "protocol", "method", "evaluated on", "mse", "trainable params",
                "up/round", "down/round", "up vs fp32", "s/round", "rounds"), t.headers());
        assertEquals(List.of("shell-cmp-fed", "shell-cmp-fed", "shell-cmp-fed", "shell-cmp-fed", "shell-cmp-loso",
                "shell-cmp-loso", "shell-cmp-loso", "shell-cmp-loso"), t.column("experiment"));
        assertEquals(List.of("mean of sites (val)", "site-0 (val)", "site-1 (val)", "site-2 (val)",
                "site-2 (unseen, test)", "mean of source sites (val)", "site-0 (val)", "site-1 (val)"),
                t.column("evaluated on"));
        assertEquals("federated (none)", t.column("method").get(0));
        assertEquals("FedMSA", t.column("method").get(4));
        assertEquals("leave-one-site-out", t.column("protocol").get(4));

        List<RoundResult> fed = f.history("shell-cmp-fed");
        List<RoundResult> loso = f.history("shell-cmp-loso");
        assertEquals(DataTable.format(fed.get(1).evaluationMetrics().values().get("mse")), t.column("mse").get(0));
        assertEquals(DataTable.format(fed.get(1).sites().get(1).evaluationMetrics().values().get("mse")),
                t.column("mse").get(2));
        double unseen = loso.get(1).sites().stream().filter(s -> s.siteId().equals("site-2")).findFirst().orElseThrow()
                .evaluationMetrics().values().get("mse");
        assertEquals(unseen, loso.get(1).evaluationMetrics().values().get("mse"));
        assertEquals(DataTable.format(unseen), t.column("mse").get(4));
        assertEquals(DataTable.format(loso.get(1).evaluationMetrics().values().get("val_mse")), t.column("mse").get(5));
        assertEquals(List.of("3", "-", "-", "-", "3", "-", "-", "-"), t.column("trainable params"));
        assertEquals("36 B", t.column("up/round").get(0));
        assertEquals("12 B", t.column("up/round").get(1));
        assertEquals("24 B", t.column("up/round").get(4));
        assertEquals("24 B", t.column("down/round").get(4));
        assertEquals(List.of("1/1.0", "-", "-", "-", "1/1.0", "-", "-", "-"), t.column("up vs fp32"),
                "fp32 transfers: the updates take their fp32 size");
        double seconds = fed.stream().mapToLong(RoundResult::durationMillis).average().orElseThrow() / 1000;
        assertEquals(DataTable.format(seconds), t.column("s/round").get(0));
        assertEquals("2", t.column("rounds").get(7));

        String error = shell.error("fedfms:compare shell-cmp-fed nosuch");
        assertTrue(error.contains("no experiment 'nosuch'"), error);
    }

    @Test
    void badInputGivesClearErrors() throws Exception {
        shell.forget("shell-bad");
        String options = shell.error("fedfms:experiment " + Shell.FIXTURE.replace("--lr 0.05", "--lr -1")
                + " --rounds many --protocol sideways shell-bad");
        assertTrue(options.contains("--rounds: 'many' is not a whole number"), options);
        assertTrue(options.contains("--protocol: unknown protocol 'sideways'"), options);
        String spec = shell.error("fedfms:experiment " + Shell.FIXTURE.replace("--lr 0.05", "--lr -1")
                + " --fraction 2 shell-bad");
        assertTrue(spec.contains("'learningRate' (--lr) = -1.0 must be positive"), spec);
        assertTrue(spec.contains("'fractionPerRound' (--fraction)"), spec);
        String unknown = shell.error("fedfms:experiment " + Shell.FIXTURE + " --epochs 3 shell-bad");
        assertTrue(unknown.contains("experiment: unknown option --epochs") && unknown.contains("--local-epochs"),
                unknown);
        String twice = shell.error("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 --rounds 3 shell-bad");
        assertTrue(twice.contains("experiment: option --rounds is given more than once"), twice);
        String strategy = shell.error("fedfms:experiment " + Shell.FIXTURE + " --strategy nosuch shell-bad");
        assertTrue(strategy.contains("strategy 'nosuch' is not present") && strategy.contains("fedavg"), strategy);
        String setting = shell.error("fedfms:experiment " + Shell.FIXTURE + " shell-bad weighted=maybe");
        assertTrue(setting.contains("'weighted'") && setting.contains("maybe"), setting);
        String trainer = shell.error("fedfms:experiment --trainer nosuch shell-bad");
        assertTrue(trainer.contains("trainer factory 'nosuch' is not present") && trainer.contains("linreg")
                && trainer.contains("djl"), trainer);
        String data = shell.error("fedfms:experiment " + Shell.FIXTURE + " --data colour=blue shell-bad");
        assertTrue(data.contains("unknown setting 'colour'"), data);
        assertTrue(shell.federation().experiments().stream().noneMatch(s -> s.name().equals("shell-bad")),
                "no experiment was created");

        assertTrue(shell.error("fedfms:run nosuch").contains("no experiment 'nosuch'"));
        assertTrue(shell.error("fedfms:metrics nosuch").contains("no experiment 'nosuch'"));
        assertTrue(shell.error("fedfms:status nosuch").contains("no experiment 'nosuch'"));
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 shell-bad");
        String swap = shell.error("fedfms:strategy shell-bad nosuch");
        assertTrue(swap.contains("no strategy 'nosuch' is present"), swap);
        String rounds = shell.error("fedfms:run --rounds 0 shell-bad");
        assertTrue(rounds.contains("--rounds: '0' is not a whole number of at least 1"), rounds);
    }

    @Test
    void siteProviderDatasetIsAcceptedAsTheFederationAcceptsIt() throws Exception {
        String name = "shell-provided";
        shell.forget(name);
        SiteProvider provider = new SiteProvider() {
            @Override
            public String id() {
                return "shell-remote";
            }

            @Override
            public List<FederatedSite> sites(ExperimentSpec spec) {
                return List.of();
            }
        };
        ServiceRegistration<SiteProvider> registration = shell.context.registerService(SiteProvider.class, provider,
                new Hashtable<>(Map.of("id", "shell-remote")));
        try {
            shell.run("fedfms:experiment --trainer none --dataset shell-remote --rounds 2 " + name);
            ExperimentSpec spec = shell.federation().spec(name);
            assertEquals("shell-remote", spec.dataset());
            String local = shell.error("fedfms:experiment --dataset shell-remote --protocol local-only " + name + "-x");
            assertTrue(local.contains("needs a dataset loader in this JVM"), local);
        } finally {
            registration.unregister();
            shell.forget(name);
        }
    }

    @Test
    void replaceWithABadSpecKeepsTheExperiment() throws Exception {
        String name = "shell-replace-bad";
        shell.forget(name);
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 2 " + name);
        String error = shell.error("fedfms:experiment " + Shell.FIXTURE.replace("--lr 0.05", "--lr -1")
                + " --replace " + name);
        assertTrue(error.contains("'learningRate' (--lr) = -1.0 must be positive"), error);
        assertEquals(2, shell.federation().spec(name).schedule().rounds());
        assertTrue(Files.isRegularFile(shell.federation().experimentsDirectory().resolve(name).resolve("spec.json")));
        shell.forget(name);
    }

    @Test
    void failingRoundFailsTheRunWithTheSitesReason() throws Exception {
        shell.forget("shell-fail");
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 3 --min-sites 3 --options failSite=site-1 "
                + "shell-fail");
        String error = shell.error("fedfms:run shell-fail");
        assertTrue(error.contains("experiment 'shell-fail' stopped (paused) after 0 of 3 rounds"), error);
        assertTrue(error.contains("site-1: fit failed: site site-1: simulated failure in round 1"), error);
        assertTrue(shell.output().contains("[shell-fail]   site-1: failed after"), shell.output());
    }

    /**
     * Gogo returns an interrupted command to its caller at once, while the command's thread goes on to
     * cancel the experiment and say so; the test waits for that line. The line must come: the command's
     * progress is written by a thread that is never interrupted, so the session's output survives.
     */
    @Test
    void interruptingRunCancelsTheExperimentCleanly() throws Exception {
        String name = "shell-cancel";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 200 --options fitDelayMillis=100 " + name);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                shell.execute("fedfms:run " + name);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        Shell.awaitTrue(() -> f.history(name).size() >= 1, "a first completed round");
        Shell.awaitTrue(() -> shell.session.foregroundJob() != null, "the run as the session's foreground job");
        shell.session.foregroundJob().interrupt();
        caller.join(20_000);
        assertFalse(caller.isAlive(), "the command returned");
        assertTrue(thrown.get() != null, "the interrupted command failed");
        Shell.awaitTrue(() -> shell.output().contains("[" + name + "] cancelled: paused after"), "the cancel message",
                30_000);
        ExperimentStatus s = f.status(name);
        assertEquals(ExperimentStatus.State.PAUSED, s.state());
        assertTrue(s.completedRounds() >= 1 && s.completedRounds() < 200, s.toString());
        assertEquals(s.completedRounds(), f.history(name).size());
        String output = shell.output();
        int interrupted = output.indexOf("[" + name + "] interrupted: cancelling");
        assertTrue(interrupted >= 0 && interrupted < output.indexOf("[" + name + "] cancelled: paused after "
                + s.completedRounds() + " of 200 rounds"), output);

        Table resumed = (Table) shell.execute("fedfms:run --rounds 1 " + name);
        assertEquals(s.completedRounds() + 1, f.history(name).size());
        assertTrue(resumed.toString().contains((s.completedRounds() + 1) + " of 200"), resumed.toString());
        assertTrue(shell.output().contains("[" + name + "] round " + (s.completedRounds() + 1) + "/200 done in"),
                "the session's output still works after the interrupt:\n" + shell.output());
        assertNull(f.history(name).get(s.completedRounds()).sites().stream()
                .map(SiteRoundResult::error).filter(e -> e != null).findFirst().orElse(null));
    }

    @Test
    void roundThenBackgroundRunPausesAndResumes() throws Exception {
        String name = "shell-bg";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 6 --options fitDelayMillis=50 " + name);

        Table round = (Table) shell.execute("fedfms:round " + name);
        assertEquals("experiment " + name + ", round 1", round.title());
        assertEquals(List.of("(round)", "site-0", "site-1", "site-2"), round.column("site"));
        assertEquals(DataTable.format(f.history(name).get(0).evaluationMetrics().values().get("mse")),
                round.column("mse").get(0));

        String started = shell.run("fedfms:run --background " + name);
        assertTrue(started.contains("running") || f.status(name).completedRounds() > 1, started);
        shell.run("fedfms:pause " + name);
        Shell.awaitTrue(() -> f.status(name).state() != ExperimentStatus.State.RUNNING, "the run to pause");
        ExperimentStatus paused = f.status(name);
        assertEquals(ExperimentStatus.State.PAUSED, paused.state());
        assertTrue(paused.message().startsWith("paused at request after round "), paused.message());
        assertTrue(paused.completedRounds() >= 1 && paused.completedRounds() < 6, paused.toString());

        Table resumed = (Table) shell.execute("fedfms:resume " + name);
        assertEquals(6, f.history(name).size());
        assertEquals(ExperimentStatus.State.COMPLETED, f.status(name).state());
        assertTrue(resumed.toString().contains("6 of 6"), resumed.toString());
        assertTrue(shell.output().contains("[" + name + "] round 6/6 done in"), shell.output());
    }
}
