package org.fedfms.wire;

import java.util.Objects;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;

/**
 * One message between the coordinator and a site: parameters plus who, when and what.
 *
 * @param experimentId the experiment the message belongs to
 * @param round the federation round, from 0
 * @param siteId the sending site for an update, the receiving site (or empty) for global parameters
 * @param kind global parameters or a site's update
 * @param sampleCount training samples behind an update (its aggregation weight), 0 for global parameters
 * @param metrics metrics that travel with the parameters (e.g. a site's training loss)
 * @param parameters the tensors
 */
public record WireMessage(String experimentId, int round, String siteId, MessageKind kind, long sampleCount,
        Metrics metrics, ParameterSet parameters) {

    public WireMessage {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(siteId, "siteId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(parameters, "parameters");
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative: " + round);
        }
        if (sampleCount < 0) {
            throw new IllegalArgumentException("sample count must not be negative: " + sampleCount);
        }
    }

    /** Global parameters for a round, without metrics. */
    public static WireMessage global(String experimentId, int round, String siteId, ParameterSet parameters) {
        return new WireMessage(experimentId, round, siteId, MessageKind.GLOBAL, 0, Metrics.empty(), parameters);
    }

    /** A site's update for a round. */
    public static WireMessage update(String experimentId, int round, String siteId, long sampleCount,
            Metrics metrics, ParameterSet parameters) {
        return new WireMessage(experimentId, round, siteId, MessageKind.UPDATE, sampleCount, metrics, parameters);
    }
}
