package org.fedfms.server.internal;

import java.util.Locale;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.FederationEvent;

/**
 * The coordinator's log of each round: its start (strategy and the sites chosen), each site's update as it
 * arrives, the aggregate with the round's Dice, and how the experiment ends.
 */
final class RoundLog {

    private static final System.Logger LOG = System.getLogger(RoundLog.class.getName());

    private RoundLog() {
    }

    static void log(FederationEvent event) {
        String line = line(event);
        if (line != null) {
            LOG.log(System.Logger.Level.INFO, line);
        }
    }

    /** The log line of an event, or null for events not logged. */
    static String line(FederationEvent event) {
        String x = "experiment " + LogText.of(event.experiment());
        if (event instanceof FederationEvent.RoundStarted s) {
            return x + " round " + s.round() + ": started, strategy " + LogText.of(s.strategyId()) + ", "
                    + s.sites().size() + " site(s) chosen: " + LogText.of(String.join(", ", s.sites()));
        }
        if (event instanceof FederationEvent.SiteFinished f) {
            SiteRoundResult r = f.site();
            return x + " round " + f.round() + ": update of site " + LogText.of(r.siteId()) + " arrived: "
                    + r.status().name().toLowerCase(Locale.ROOT) + ", " + r.sampleCount() + " samples"
                    + metrics(r.fitMetrics()) + ", " + r.bytesUp() + " bytes up in " + seconds(r.durationMillis())
                    + (r.error() == null || r.error().isEmpty() ? "" : " (" + LogText.of(r.error()) + ")");
        }
        if (event instanceof FederationEvent.RoundCompleted c) {
            RoundResult r = c.result();
            long ok = r.sites().stream().filter(s -> s.status() == SiteRoundResult.Status.OK).count();
            return x + " round " + r.round() + ": aggregated " + ok + " of " + r.sites().size() + " update(s) with "
                    + LogText.of(r.strategyId()) + " in " + seconds(r.durationMillis()) + metrics(r.evaluationMetrics())
                    + (r.note() == null || r.note().isEmpty() ? "" : " (" + LogText.of(r.note()) + ")");
        }
        if (event instanceof FederationEvent.ExperimentCompleted c) {
            return x + ": completed after round " + c.completedRounds();
        }
        if (event instanceof FederationEvent.ExperimentPaused p) {
            return x + ": paused after round " + p.completedRounds() + ": " + LogText.of(p.message());
        }
        if (event instanceof FederationEvent.ExperimentFailed f) {
            return x + ": failed after round " + f.completedRounds() + ": " + LogText.of(f.message());
        }
        return null;
    }

    private static String metrics(Metrics m) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            sb.append(", ").append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return sb.toString();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
