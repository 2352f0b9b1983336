package org.fedfms.server.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.privacy.ClientDp;

/** Counters the coordinator exposes at {@code /metrics} in the Prometheus text format. */
final class CoordinatorMetrics {

    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder rounds = new LongAdder();
    final LongAdder roundMillis = new LongAdder();
    final AtomicLong lastRoundMillis = new AtomicLong();
    final LongAdder updatesAccepted = new LongAdder();
    final LongAdder updatesRejected = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder refusedCertificate = new LongAdder();
    /** Each experiment's last completed round, for its evaluation metrics. */
    private final Map<String, RoundResult> lastRounds = new ConcurrentSkipListMap<>();

    void roundCompleted(RoundResult round) {
        rounds.increment();
        roundMillis.add(round.durationMillis());
        lastRoundMillis.set(round.durationMillis());
        lastRounds.put(round.experiment(), round);
    }

    /**
     * Forgets the last round of each experiment the federation no longer lists: a removed experiment's gauges
     * go with it, however it was removed (admin API, shell, workbench).
     */
    void forgetRemoved(List<ExperimentStatus> present) {
        Set<String> names = present.stream().map(ExperimentStatus::name).collect(Collectors.toSet());
        lastRounds.keySet().retainAll(names);
    }

    String text(IntSupplier sitesConnected, int sitesConfigured, IntSupplier startingStates) {
        StringBuilder b = new StringBuilder();
        metric(b, "fedfms_rounds_completed_total", "counter", "Rounds completed by experiments on this coordinator",
                rounds.sum());
        metric(b, "fedfms_sites_connected", "gauge", "Sites joined now", sitesConnected.getAsInt());
        metric(b, "fedfms_sites_configured", "gauge", "Sites with credentials", sitesConfigured);
        metric(b, "fedfms_starting_states_held", "gauge", "Running experiments whose starting state (initial "
                + "weights) the coordinator holds in memory", startingStates.getAsInt());
        metric(b, "fedfms_bytes_in_total", "counter", "Update bytes received from sites", bytesIn.sum());
        metric(b, "fedfms_bytes_out_total", "counter", "Parameter bytes sent to sites", bytesOut.sum());
        metric(b, "fedfms_updates_accepted_total", "counter", "Updates accepted", updatesAccepted.sum());
        metric(b, "fedfms_updates_rejected_total", "counter", "Updates refused with a 4xx status",
                updatesRejected.sum());
        metric(b, "fedfms_http_requests_total", "counter", "HTTP requests served", requests.sum());
        metric(b, "fedfms_requests_rate_limited_total", "counter", "Site requests refused with 429 (rate per site)",
                rateLimited.sum());
        metric(b, "fedfms_requests_refused_certificate_total", "counter",
                "Site requests refused with 403 because the client certificate is not the site's (mutual TLS)",
                refusedCertificate.sum());
        b.append("# HELP fedfms_round_duration_seconds Duration of completed rounds\n")
                .append("# TYPE fedfms_round_duration_seconds summary\n")
                .append("fedfms_round_duration_seconds_sum ").append(roundMillis.sum() / 1000.0).append('\n')
                .append("fedfms_round_duration_seconds_count ").append(rounds.sum()).append('\n');
        metric(b, "fedfms_last_round_duration_seconds", "gauge", "Duration of the last completed round",
                lastRoundMillis.get() / 1000.0);
        evaluation(b);
        fitLoss(b);
        privacy(b);
        return b.toString();
    }

    /**
     * The evaluation metrics of each experiment's last round as one gauge family: per site its means (over its
     * cases for volumetric data: dice, iou, hd95_mm, assd_mm) and its {@code empty} count, site {@code all}
     * the round's means over the sites.
     */
    private void evaluation(StringBuilder b) {
        b.append("# HELP fedfms_evaluation Evaluation metrics of each experiment's last completed round: per site "
                + "its means and empty count (label absent from both, left out of the means), site=\"all\" the "
                + "round's\n# TYPE fedfms_evaluation gauge\n");
        for (RoundResult r : lastRounds.values()) {
            gauges(b, r.experiment(), "all", r.evaluationMetrics());
            for (SiteRoundResult s : r.sites()) {
                gauges(b, r.experiment(), s.siteId(), s.evaluationMetrics());
            }
        }
    }

    /** Each site's mean training loss in its experiment's last round (sites that reported none are left out). */
    private void fitLoss(StringBuilder b) {
        b.append("# HELP fedfms_fit_loss Mean training loss of each site in its experiment's last completed round\n"
                + "# TYPE fedfms_fit_loss gauge\n");
        for (RoundResult r : lastRounds.values()) {
            for (SiteRoundResult s : r.sites()) {
                s.fitMetrics().get("loss").ifPresent(loss -> b.append("fedfms_fit_loss{experiment=\"")
                        .append(label(r.experiment())).append("\",site=\"").append(label(s.siteId())).append("\"} ")
                        .append(loss).append('\n'));
            }
        }
    }

    private static void gauges(StringBuilder b, String experiment, String site, Metrics m) {
        m.values().forEach((name, value) -> b.append("fedfms_evaluation{experiment=\"").append(label(experiment))
                .append("\",site=\"").append(label(site)).append("\",metric=\"").append(label(name)).append("\"} ")
                .append(value).append('\n'));
    }

    /** ε of client-side differential privacy after each experiment's last round (experiments without it left out). */
    private void privacy(StringBuilder b) {
        b.append("# HELP fedfms_dp_epsilon Client-side differential privacy: epsilon at the experiment's delta after "
                + "its last completed round\n# TYPE fedfms_dp_epsilon gauge\n");
        for (RoundResult r : lastRounds.values()) {
            r.evaluationMetrics().get(ClientDp.EPSILON_METRIC).ifPresent(eps -> b
                    .append("fedfms_dp_epsilon{experiment=\"").append(label(r.experiment())).append("\"} ").append(eps)
                    .append('\n'));
        }
    }

    /** A label value in the text format: backslash, double quote and line feed escaped. */
    private static String label(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void metric(StringBuilder b, String name, String type, String help, Number value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
