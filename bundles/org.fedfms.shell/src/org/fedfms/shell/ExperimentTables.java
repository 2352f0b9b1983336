package org.fedfms.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.BestRound;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.shell.DataTable.ByteCount;

/**
 * Round histories and experiment summaries as {@link DataTable}s: the one place where records become
 * rows, shared by the console tables and the CSV files (and any other face that shows them).
 *
 * <p>Metric columns are the union of the metric names present, segmentation metrics ({@code dice},
 * {@code iou}, {@code hd95}, for volumetric data {@code hd95_mm} and {@code assd_mm}, and the {@code empty}
 * count of labels absent from both, left out of the means) first, then the others in the order they first
 * appear.
 */
public final class ExperimentTables {

    /** Metrics the paper reports, in its order, then the clinical ones and the empty count; first when present. */
    public static final List<String> SEGMENTATION_METRICS = List.of("dice", "iou", "hd95", "hd95_mm", "assd_mm",
            Metrics.EMPTY_COUNT);

    private ExperimentTables() {
    }

    /**
     * Where an experiment stands and what it is, as {@code field, value} rows: state, rounds, protocol,
     * strategy, message, last evaluation, the spec's model, adapter, trainer, dataset and schedule, its
     * last five rounds and its directory.
     */
    public static DataTable status(ExperimentSpec spec, ExperimentStatus s, List<RoundResult> history, Path directory) {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(List.<Object>of("state", s.state().name().toLowerCase(Locale.ROOT)));
        rows.add(List.<Object>of("rounds", s.completedRounds() + " of " + s.plannedRounds()));
        rows.add(List.<Object>of("protocol", s.protocol().id()
                + (s.protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT ? ", unseen site " + spec.unseenSite()
                        : "")));
        rows.add(List.<Object>of("method", ExperimentSummary.method(spec)));
        rows.add(List.<Object>of("strategy", s.strategyId() + (s.strategySettings().isEmpty() ? ""
                : " " + new TreeMap<>(s.strategySettings()))));
        rows.add(List.<Object>of("message", s.message().isEmpty() ? "-" : s.message()));
        rows.add(List.<Object>of("last evaluation", metricsText(s.lastEvaluation())));
        rows.add(List.<Object>of("best round", BestRound.of(history).map(b -> b.describe()
                + " (its global model is kept: " + directory.resolve(String.format("round-%06d", b.round())) + ")")
                .orElse("-")));
        rows.add(List.<Object>of("model", spec.model() + ", adapter " + spec.adapter() + ", trainer " + spec.trainer()
                + ", device " + spec.device()));
        rows.add(List.<Object>of("dataset", spec.dataset() + (spec.datasetSettings().isEmpty() ? ""
                : " " + new TreeMap<>(spec.datasetSettings()))));
        rows.add(List.<Object>of("starting point", s.startingPoint().describe()));
        rows.add(List.<Object>of("training", spec.schedule().localEpochs() + " local epoch(s), batch " + spec.schedule().batchSize() + ", lr "
                + spec.schedule().learningRate() + ", seed " + spec.seed()
                + (spec.trainerOptions().isEmpty() ? "" : ", options " + new TreeMap<>(spec.trainerOptions()))));
        rows.add(List.<Object>of("sites per round", "fraction " + spec.participation().fractionPerRound() + ", at least " + spec.participation().minSites()
                + ", deadline " + spec.participation().roundDeadlineSeconds() + " s"));
        for (RoundResult r : history.subList(Math.max(0, history.size() - 5), history.size())) {
            rows.add(List.<Object>of("round " + r.round(), okOf(r) + ", " + r.strategyId() + ", "
                    + metricsText(r.evaluationMetrics()) + (r.note().isEmpty() ? "" : " | " + r.note())));
        }
        rows.add(List.<Object>of("directory", directory.toString()));
        return new DataTable("experiment " + s.name(), List.of("field", "value"), rows);
    }

    /** Metrics as {@code dice=0.8123 iou=0.7012}, or {@code -} if none. */
    public static String metricsText(Metrics m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        m.values().forEach((k, v) -> parts.add(k + "=" + DataTable.format(v)));
        return String.join(" ", parts);
    }

    /**
     * Per round and per site, for the console: a row per round ({@code site} = {@code (round)}, its
     * training and evaluation metrics, totals of samples and bytes, its wall time, its note), then a row
     * per site (its status, samples, training metrics, evaluation of the new model on its data, bytes, time
     * and error).
     */
    public static DataTable metrics(String title, List<RoundResult> history) {
        List<String> fit = metricNames(history, true);
        List<String> eval = metricNames(history, false);
        List<String> headers = new ArrayList<>(List.of("round", "site", "status", "samples"));
        fit.forEach(m -> headers.add("fit " + m));
        headers.addAll(eval);
        headers.addAll(List.of("up", "down", "ms", "note"));
        List<List<Object>> rows = new ArrayList<>();
        for (RoundResult r : history) {
            List<Object> row = new ArrayList<>(List.of(r.round(), "(round)", okOf(r), okSamples(r)));
            fit.forEach(m -> row.add(value(r.fitMetrics(), m)));
            eval.forEach(m -> row.add(value(r.evaluationMetrics(), m)));
            row.addAll(List.of(new ByteCount(r.bytesUp()), new ByteCount(r.bytesDown()), r.durationMillis()));
            row.add(r.note().isEmpty() ? null : r.note());
            rows.add(row);
            for (SiteRoundResult s : r.sites()) {
                List<Object> sr = new ArrayList<>(List.of(r.round(), s.siteId(), status(s), s.sampleCount()));
                fit.forEach(m -> sr.add(value(s.fitMetrics(), m)));
                eval.forEach(m -> sr.add(value(s.evaluationMetrics(), m)));
                sr.addAll(List.of(new ByteCount(s.bytesUp()), new ByteCount(s.bytesDown()), s.durationMillis()));
                sr.add(s.error());
                rows.add(sr);
            }
        }
        return new DataTable(title, headers, rows);
    }

    /**
     * One row per round, for {@code rounds.csv}: experiment, round, strategy and its settings, sites ok,
     * failed and skipped, samples aggregated, {@code fit_*} and {@code eval_*} metrics, bytes up and down,
     * duration, completion time and note.
     */
    public static DataTable rounds(String experiment, List<RoundResult> history) {
        List<String> fit = metricNames(history, true);
        List<String> eval = metricNames(history, false);
        List<String> headers = new ArrayList<>(List.of("experiment", "round", "strategy", "strategy_settings",
                "sites_ok", "sites_failed", "sites_skipped", "samples"));
        fit.forEach(m -> headers.add("fit_" + m));
        eval.forEach(m -> headers.add("eval_" + m));
        headers.addAll(List.of("bytes_up", "bytes_down", "duration_ms", "completed_at", "note"));
        List<List<Object>> rows = new ArrayList<>();
        for (RoundResult r : history) {
            List<Object> row = new ArrayList<>(List.of(experiment, r.round(), r.strategyId(),
                    settingsText(r.strategySettings()), count(r, SiteRoundResult.Status.OK),
                    count(r, SiteRoundResult.Status.FAILED), count(r, SiteRoundResult.Status.SKIPPED), okSamples(r)));
            fit.forEach(m -> row.add(value(r.fitMetrics(), m)));
            eval.forEach(m -> row.add(value(r.evaluationMetrics(), m)));
            row.addAll(List.of(new ByteCount(r.bytesUp()), new ByteCount(r.bytesDown()), r.durationMillis()));
            row.add(r.completedAt() == null ? null : r.completedAt().toString());
            row.add(r.note());
            rows.add(row);
        }
        return new DataTable("", headers, rows);
    }

    /**
     * One row per round and site, for {@code sites.csv}: experiment, round, site, status, samples,
     * {@code fit_*} and {@code eval_*} metrics, bytes up and down, duration and error.
     */
    public static DataTable sites(String experiment, List<RoundResult> history) {
        List<String> fit = siteMetricNames(history, SiteRoundResult::fitMetrics);
        List<String> eval = siteMetricNames(history, SiteRoundResult::evaluationMetrics);
        List<String> headers = new ArrayList<>(List.of("experiment", "round", "site", "status", "samples"));
        fit.forEach(m -> headers.add("fit_" + m));
        eval.forEach(m -> headers.add("eval_" + m));
        headers.addAll(List.of("bytes_up", "bytes_down", "duration_ms", "error"));
        List<List<Object>> rows = new ArrayList<>();
        for (RoundResult r : history) {
            for (SiteRoundResult s : r.sites()) {
                List<Object> row = new ArrayList<>(List.of(experiment, r.round(), s.siteId(), status(s),
                        s.sampleCount()));
                fit.forEach(m -> row.add(value(s.fitMetrics(), m)));
                eval.forEach(m -> row.add(value(s.evaluationMetrics(), m)));
                row.addAll(List.of(new ByteCount(s.bytesUp()), new ByteCount(s.bytesDown()), s.durationMillis()));
                row.add(s.error());
                rows.add(row);
            }
        }
        return new DataTable("", headers, rows);
    }

    /** Prefix of the source sites' mean validation metrics in a leave-one-site-out round's evaluation. */
    private static final String SOURCE_PREFIX = "val_";

    /**
     * The paper-shaped comparison: per experiment a row with its protocol, method, what it was
     * evaluated on, its final metrics, trainable parameters, bytes up and down per round, the updates' bytes as a
     * fraction of their fp32 size (its encoding), seconds per
     * round and completed rounds; for leave-one-site-out a row with the source sites' mean validation
     * metrics; followed, when it has two or more sites with metrics, by a row per site (the unseen site of
     * leave-one-site-out is the experiment's own row). The metric columns are
     * {@link #SEGMENTATION_METRICS} where any experiment has them, else every metric present (without
     * the {@code val_} means of leave-one-site-out).
     */
    public static DataTable comparison(List<ExperimentSummary> summaries) {
        List<String> metrics = comparisonMetrics(summaries);
        List<String> headers = new ArrayList<>(List.of("experiment", "protocol", "method", "evaluated on"));
        headers.addAll(metrics);
        headers.addAll(List.of("trainable params", "up/round", "down/round", "up vs fp32", "s/round", "rounds"));
        List<List<Object>> rows = new ArrayList<>();
        for (ExperimentSummary s : summaries) {
            List<Object> row = new ArrayList<>(List.of(s.name(), s.protocol().id(), s.method(), s.evaluatedOn()));
            metrics.forEach(m -> row.add(value(s.evaluation(), m)));
            row.add(s.trainableParameters() < 0 ? null : s.trainableParameters());
            row.add(bytes(s.bytesUpPerRound()));
            row.add(bytes(s.bytesDownPerRound()));
            row.add(Double.isNaN(s.upCompression()) ? null : String.format(Locale.ROOT, "1/%.1f", s.upCompression()));
            row.add(Double.isNaN(s.secondsPerRound()) ? null : s.secondsPerRound());
            row.add(s.completedRounds());
            rows.add(row);
            if (s.protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT
                    && metrics.stream().anyMatch(m -> s.evaluation().values().containsKey(SOURCE_PREFIX + m))) {
                List<Object> mean = new ArrayList<>(List.of(s.name(), s.protocol().id(), s.method(),
                        "mean of source sites (val)"));
                metrics.forEach(m -> mean.add(value(s.evaluation(), SOURCE_PREFIX + m)));
                mean.addAll(java.util.Arrays.asList(null, null, null, null, null, s.completedRounds()));
                rows.add(mean);
            }
            List<ExperimentSummary.SiteSummary> sites = s.sites().stream()
                    .filter(x -> !x.evaluation().isEmpty()).toList();
            if (sites.size() < 2) {
                continue;
            }
            for (ExperimentSummary.SiteSummary site : sites) {
                if (site.role().equals(ExperimentSummary.UNSEEN_ROLE)) {
                    continue;
                }
                List<Object> sr = new ArrayList<>(List.of(s.name(), s.protocol().id(), s.method(),
                        site.siteId() + " (" + site.role() + ")"));
                metrics.forEach(m -> sr.add(value(site.evaluation(), m)));
                sr.add(null);
                sr.add(bytes(site.bytesUpPerRound()));
                sr.add(bytes(site.bytesDownPerRound()));
                sr.add(null);
                sr.add(site.secondsPerRound());
                sr.add(s.completedRounds());
                rows.add(sr);
            }
        }
        return new DataTable("", headers, rows);
    }

    private static List<String> comparisonMetrics(List<ExperimentSummary> summaries) {
        Set<String> all = new LinkedHashSet<>();
        for (ExperimentSummary s : summaries) {
            s.evaluation().values().keySet().stream().filter(k -> !k.startsWith("val_")).forEach(all::add);
            s.sites().forEach(x -> all.addAll(x.evaluation().values().keySet()));
        }
        List<String> segmentation = SEGMENTATION_METRICS.stream().filter(all::contains).toList();
        return segmentation.isEmpty() ? ordered(all) : segmentation;
    }

    /** Names of the rounds' training ({@code fit}) or evaluation metrics, segmentation metrics first. */
    private static List<String> metricNames(List<RoundResult> history, boolean fit) {
        Set<String> names = new LinkedHashSet<>();
        for (RoundResult r : history) {
            names.addAll((fit ? r.fitMetrics() : r.evaluationMetrics()).values().keySet());
            for (SiteRoundResult s : r.sites()) {
                names.addAll((fit ? s.fitMetrics() : s.evaluationMetrics()).values().keySet());
            }
        }
        return ordered(names);
    }

    private static List<String> siteMetricNames(List<RoundResult> history, Function<SiteRoundResult, Metrics> of) {
        Set<String> names = new LinkedHashSet<>();
        for (RoundResult r : history) {
            r.sites().forEach(s -> names.addAll(of.apply(s).values().keySet()));
        }
        return ordered(names);
    }

    private static List<String> ordered(Set<String> names) {
        List<String> list = new ArrayList<>();
        SEGMENTATION_METRICS.stream().filter(names::contains).forEach(list::add);
        names.stream().filter(n -> !list.contains(n)).forEach(list::add);
        return list;
    }

    private static Double value(Metrics m, String name) {
        return m.values().get(name);
    }

    private static ByteCount bytes(double perRound) {
        return Double.isNaN(perRound) ? null : new ByteCount(Math.round(perRound));
    }

    private static String status(SiteRoundResult s) {
        return s.status().name().toLowerCase(Locale.ROOT);
    }

    private static long count(RoundResult r, SiteRoundResult.Status status) {
        return r.sites().stream().filter(s -> s.status() == status).count();
    }

    private static String okOf(RoundResult r) {
        long chosen = r.sites().stream().filter(s -> s.status() != SiteRoundResult.Status.SKIPPED).count();
        return r.okSites() + "/" + chosen + " ok";
    }

    private static long okSamples(RoundResult r) {
        return r.sites().stream().filter(s -> s.status() == SiteRoundResult.Status.OK)
                .mapToLong(SiteRoundResult::sampleCount).sum();
    }

    /** Settings as {@code k=v;k=v}, keys sorted. */
    static String settingsText(Map<String, Object> settings) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(settings).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(";", parts);
    }
}
