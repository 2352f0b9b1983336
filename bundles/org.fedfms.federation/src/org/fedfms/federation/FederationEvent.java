package org.fedfms.federation;

import java.util.List;
import java.util.Map;

import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;

/** What the federation tells its {@link FederationListener}s. */
public sealed interface FederationEvent {

    /** The experiment the event belongs to. */
    String experiment();

    /**
     * A round began.
     *
     * @param round the round number
     * @param sites the sites chosen to train
     * @param strategyId the strategy aggregating it
     */
    record RoundStarted(String experiment, int round, List<String> sites, String strategyId) implements FederationEvent {
        public RoundStarted {
            sites = List.copyOf(sites);
        }
    }

    /**
     * A chosen site's update arrived and was accepted ({@link SiteRoundResult.Status#OK}) or it failed.
     *
     * @param round the round number
     * @param site what the site did (no evaluation metrics yet)
     */
    record SiteFinished(String experiment, int round, SiteRoundResult site) implements FederationEvent {
    }

    /**
     * A site training in a round finished a batch (sites training in this process report it; remote sites do not).
     *
     * @param round the round number
     * @param site the site's id
     * @param batch batches done, 1..{@code batches}
     * @param batches the batches of the site's local training in this round
     * @param samples samples trained on so far in this round
     * @param elapsedMillis wall time since the site began the round's training
     */
    record SiteProgress(String experiment, int round, String site, int batch, int batches, long samples,
            long elapsedMillis) implements FederationEvent {

        /** Samples per second so far (0 before any time has passed). */
        public double samplesPerSecond() {
            return elapsedMillis <= 0 ? 0 : samples * 1000.0 / elapsedMillis;
        }

        /** Estimated milliseconds until the site's training ends, at the rate so far. */
        public long etaMillis() {
            return batch <= 0 ? 0 : Math.round(elapsedMillis * (double) (batches - batch) / batch);
        }

        /** {@link #etaMillis()} as the faces show it: minutes and seconds, {@code 0:45}, {@code 12:03}. */
        public String etaText() {
            long seconds = Math.round(etaMillis() / 1000.0);
            return seconds / 60 + ":" + (seconds % 60 < 10 ? "0" : "") + seconds % 60;
        }
    }

    /** A round completed and was checkpointed. */
    record RoundCompleted(String experiment, RoundResult result) implements FederationEvent {
    }

    /**
     * The strategy was swapped; the swap takes effect at {@code effectiveRound}.
     *
     * @param fromId the strategy used until now
     * @param toId the new strategy
     * @param settings the new strategy's bound settings
     * @param effectiveRound first round the new strategy aggregates
     */
    record StrategySwapped(String experiment, String fromId, String toId, Map<String, Object> settings,
            int effectiveRound) implements FederationEvent {
        public StrategySwapped {
            settings = Map.copyOf(settings);
        }
    }

    /**
     * The experiment paused: on request, or because a round could not complete.
     *
     * @param completedRounds rounds completed so far
     * @param message why, and what to do
     */
    record ExperimentPaused(String experiment, int completedRounds, String message) implements FederationEvent {
    }

    /**
     * The experiment cannot run as specified.
     *
     * @param completedRounds rounds completed so far
     * @param message why, and what to do
     */
    record ExperimentFailed(String experiment, int completedRounds, String message) implements FederationEvent {
    }

    /**
     * A run reached the experiment's planned rounds.
     *
     * @param completedRounds rounds completed
     */
    record ExperimentCompleted(String experiment, int completedRounds) implements FederationEvent {
    }
}
