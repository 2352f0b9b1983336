package org.fedfms.federation;

import java.util.Map;

import org.fedfms.api.Metrics;

/**
 * Where an experiment stands.
 *
 * @param name the experiment
 * @param state what it is doing
 * @param completedRounds rounds completed (and checkpointed) so far
 * @param plannedRounds rounds its spec plans
 * @param protocol its protocol
 * @param strategyId the strategy its next round uses ({@code none} for protocols that do not aggregate)
 * @param strategySettings that strategy's settings
 * @param message why it paused or failed, or what happened last; empty if nothing to say
 * @param lastEvaluation evaluation metrics of the last completed round (empty before the first)
 * @param startingPoint what its model started from, as recorded when it was created
 * @param best its round with the best validation Dice so far, or {@code null} while no round reports one
 */
public record ExperimentStatus(String name, State state, int completedRounds, int plannedRounds,
        ExperimentSpec.Protocol protocol, String strategyId, Map<String, Object> strategySettings, String message,
        Metrics lastEvaluation, StartingPoint startingPoint, BestRound best) {

    /** What an experiment is doing. */
    public enum State {
        /** Created or restored; no run in progress, rounds remain. */
        READY,
        /** A run is in progress. */
        RUNNING,
        /** Stopped by request or by a round that could not complete (see the message); resume goes on. */
        PAUSED,
        /** Its planned rounds are done; more can still be run. */
        COMPLETED,
        /** It cannot run as specified (data, trainer); the message says why; resume tries again. */
        FAILED
    }

    public ExperimentStatus {
        strategySettings = Map.copyOf(strategySettings);
        message = message == null ? "" : message;
        lastEvaluation = lastEvaluation == null ? Metrics.empty() : lastEvaluation;
        startingPoint = startingPoint == null ? StartingPoint.RANDOM : startingPoint;
    }
}
