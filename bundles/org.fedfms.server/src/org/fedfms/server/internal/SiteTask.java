package org.fedfms.server.internal;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.federation.ExperimentSpec;

/**
 * One piece of work handed to a remote site: give the initial parameters, fit, or evaluate. Completes
 * with the site's answer ({@link org.fedfms.api.strategy.FitResult} or
 * {@link org.fedfms.api.strategy.EvaluateResult}) or exceptionally with why it failed.
 *
 * @param id unique id the site answers to
 * @param kind what to do
 * @param siteId the site it is for
 * @param spec the experiment's spec (the site builds its trainer from it)
 * @param round the round (0 for the initial parameters)
 * @param parameters the parameters the site downloads (fit: global; evaluate: the model to evaluate)
 * @param instructions fit instructions
 * @param split the split to evaluate
 * @param result how the task ended
 */
public record SiteTask(String id, Kind kind, String siteId, ExperimentSpec spec, int round, ParameterSet parameters,
        FitInstructions instructions, DataSplit split, CompletableFuture<Object> result) {

    /** What a task asks for. */
    public enum Kind {
        INITIAL, FIT, EVALUATE,
        /** Secure aggregation's phases (see {@link SecureSiteTasks}): keys, shares, a masked fit, reveal. */
        SECAGG_KEYS, SECAGG_SHARES, SECAGG_FIT, SECAGG_REVEAL
    }

    static SiteTask of(Kind kind, String siteId, ExperimentSpec spec, int round, ParameterSet parameters,
            FitInstructions instructions, DataSplit split) {
        return new SiteTask(UUID.randomUUID().toString(), kind, siteId, spec, round, parameters, instructions, split,
                new CompletableFuture<>());
    }

    String experiment() {
        return spec.name();
    }

    boolean open() {
        return !result.isDone();
    }

    /** Says where the task stands for messages. */
    String describe() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " task " + id + " (experiment '" + experiment()
                + "', round " + round + ", site '" + siteId + "')";
    }
}
