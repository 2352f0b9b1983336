package org.fedfms.shell;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.ExperimentStatus;

/**
 * One experiment as a row of the paper's comparison: what it is (protocol, method), how well its
 * final model does (the last completed round's evaluation), what it costs (trainable parameters,
 * bytes and wall time per round). Built from the records the federation returns; computes nothing
 * the federation has not recorded.
 *
 * @param name experiment name
 * @param protocol how its sites trained
 * @param method the method as the paper names it: {@code FedSAM} (adapter {@code full}), {@code FedMSA}
 *     ({@code msa}), {@code centralized (...)}, {@code local-only (...)}
 * @param model model variant id
 * @param adapter adapter type id
 * @param strategy strategy of its next round, {@code none} for protocols that do not aggregate
 * @param completedRounds rounds completed
 * @param evaluatedOn what {@link #evaluation} was measured on, e.g. {@code site-4 (unseen, test)}
 * @param evaluation the last completed round's evaluation metrics (empty before the first round)
 * @param sites each site's evaluation in the last completed round and its cost per round
 * @param trainableParameters parameters of the global trainable set, or -1 if unknown
 * @param bytesUpPerRound mean bytes received from the sites per round (NaN before the first round)
 * @param bytesDownPerRound mean bytes sent to the sites per round (NaN before the first round)
 * @param secondsPerRound mean wall time of a round in seconds (NaN before the first round)
 * @param upCompression the fp32 bytes of the updates received (trainable parameters × 4 each) over the bytes
 *     they took (its {@code encoding}), NaN when unknown or none was received
 */
public record ExperimentSummary(String name, Protocol protocol, String method, String model, String adapter,
        String strategy, int completedRounds, String evaluatedOn, Metrics evaluation, List<SiteSummary> sites,
        long trainableParameters, double bytesUpPerRound, double bytesDownPerRound, double secondsPerRound,
        double upCompression) {

    /**
     * One site in the summary.
     *
     * @param siteId the site
     * @param role what its metrics were measured on, e.g. {@code val} or {@code unseen, test}
     * @param evaluation its evaluation metrics in the last completed round (may be empty)
     * @param bytesUpPerRound mean bytes it sent per round
     * @param bytesDownPerRound mean bytes it received per round
     * @param secondsPerRound mean wall time of its work per round
     */
    public record SiteSummary(String siteId, String role, Metrics evaluation, double bytesUpPerRound,
            double bytesDownPerRound, double secondsPerRound) {
    }

    /** Role of the held-out site of leave-one-site-out: its test split is the experiment's evaluation. */
    public static final String UNSEEN_ROLE = "unseen, test";

    public ExperimentSummary {
        sites = List.copyOf(sites);
    }

    /**
     * The summary of an experiment.
     *
     * @param trainableParameters the global trainable parameter count, or -1 if unknown
     */
    public static ExperimentSummary of(ExperimentSpec spec, ExperimentStatus status, List<RoundResult> history,
            long trainableParameters) {
        RoundResult last = history.isEmpty() ? null : history.get(history.size() - 1);
        Protocol p = spec.protocol();
        String unseen = p == Protocol.LEAVE_ONE_SITE_OUT ? spec.unseenSite() : null;
        String evaluatedOn = switch (p) {
            case FEDERATED -> "mean of sites (val)";
            case LEAVE_ONE_SITE_OUT -> unseen + " (unseen, test)";
            case CENTRALIZED -> "pooled (val)";
            case LOCAL_ONLY -> "mean of sites (val, own models)";
        };
        List<SiteSummary> sites = new ArrayList<>();
        if (last != null) {
            for (SiteRoundResult s : last.sites()) {
                String role = s.siteId().equals(unseen) ? UNSEEN_ROLE
                        : p == Protocol.LOCAL_ONLY ? "val, own model" : "val";
                double up = 0;
                double down = 0;
                double millis = 0;
                for (RoundResult r : history) {
                    for (SiteRoundResult x : r.sites()) {
                        if (x.siteId().equals(s.siteId())) {
                            up += x.bytesUp();
                            down += x.bytesDown();
                            millis += x.durationMillis();
                        }
                    }
                }
                int n = history.size();
                sites.add(new SiteSummary(s.siteId(), role, s.evaluationMetrics(), up / n, down / n, millis / n / 1000));
            }
        }
        double up = Double.NaN;
        double down = Double.NaN;
        double seconds = Double.NaN;
        if (!history.isEmpty()) {
            up = history.stream().mapToLong(RoundResult::bytesUp).average().orElse(Double.NaN);
            down = history.stream().mapToLong(RoundResult::bytesDown).average().orElse(Double.NaN);
            seconds = history.stream().mapToLong(RoundResult::durationMillis).average().orElse(Double.NaN) / 1000;
        }
        long updates = 0;
        long coded = 0;
        for (RoundResult r : history) {
            for (SiteRoundResult x : r.sites()) {
                updates += x.bytesUp() > 0 ? 1 : 0;
                coded += x.bytesUp();
            }
        }
        double compression = trainableParameters > 0 && coded > 0
                ? (double) updates * trainableParameters * Float.BYTES / coded : Double.NaN;
        return new ExperimentSummary(spec.name(), p, method(spec), spec.model(), spec.adapter(), status.strategyId(),
                status.completedRounds(), evaluatedOn, last == null ? Metrics.empty() : last.evaluationMetrics(), sites,
                trainableParameters, up, down, seconds, compression);
    }

    /**
     * The method as the paper names it: federated protocols with adapter {@code full} are FedSAM, with
     * {@code msa} FedMSA (a strategy other than FedAvg is appended); the others say their protocol and
     * adapter.
     */
    public static String method(ExperimentSpec spec) {
        String adapter = spec.adapter();
        if (!spec.protocol().aggregates()) {
            return spec.protocol().id() + " (" + adapter + ")";
        }
        String base = switch (adapter) {
            case "full" -> "FedSAM";
            case "msa" -> "FedMSA";
            default -> "federated (" + adapter + ")";
        };
        return "fedavg".equals(spec.strategy()) ? base : base + " + " + spec.strategy();
    }
}
