package org.fedfms.site.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.api.train.SiteTrainer;

/**
 * A site agent's own values of an experiment's {@link LocalParameters} (FedBN, FedPer-style personalization): the
 * coordinator sends only the shared tensors; the agent completes them with the local ones it kept (its trainer's
 * initial values until it first trains) before it fits or evaluates, keeps the local tensors of each fit, and
 * uploads only the shared ones. The values are kept per round in a {@link SiteStateStore} (kind {@value #KIND},
 * owner-only, atomic) in the experiment's folder at the site, so a restarted agent, or a round repeated after
 * the coordinator resumed from its checkpoint, starts from the same values as the first time.
 *
 * @param siteId the site, for messages
 * @param keys the patterns of the local parameters
 * @param store where the values are kept
 * @param trainer the trainer whose initial values stand until the site first trains
 */
record LocalParameterStates(String siteId, LocalParameters keys, SiteStateStore store, SiteTrainer trainer) {

    /** The file name stem of the local parameters in a site's state folder. */
    static final String KIND = "local";

    /**
     * The local parameters of a task's experiment at this site, kept in {@code directory}; with patterns
     * {@code patterns} empty, every parameter is shared and nothing is kept or completed.
     */
    static LocalParameterStates of(String siteId, String patterns, Path directory, SiteTrainer trainer) {
        return new LocalParameterStates(siteId, LocalParameters.parse(patterns), new SiteStateStore(directory, KIND),
                trainer);
    }

    /**
     * {@code received} (the shared tensors, and SCAFFOLD's variates if the round sends them) completed with this
     * site's own local values as fitted before round {@code round}; {@code received} itself when nothing is local.
     * Local tensors that {@code received} holds too (the global model a leave-one-site-out run sends its unseen
     * site) are replaced by the site's own, as in the simulation.
     *
     * @throws IllegalStateException naming the site, round and folder when the kept values do not fit the model
     */
    ParameterSet completed(int round, ParameterSet received) throws IOException {
        if (keys.isEmpty()) {
            return received;
        }
        String where = "site '" + siteId + "', round " + round;
        ParameterSet base = trainer.initialParameters();
        ParameterSet own = keys.local(store.before(round).map(SiteStateStore.Saved::tensors).orElse(base));
        ParameterSet local = keys.local(base);
        if (!local.layoutDifferences(own).isEmpty()) {
            throw new IllegalStateException(where + ": the local parameters kept in " + store.directory()
                    + " do not fit the model of this experiment (" + String.join("; ", local.layoutDifferences(own))
                    + "); remove the folder to start them again from the initial values");
        }
        ParameterSet model = ControlVariates.model(received);
        ParameterSet extra = received.select(n -> !model.contains(n));
        ParameterSet full;
        try {
            full = base.withReplaced(model).withReplaced(own);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": the shared parameters received do not fit this site's model: "
                    + e.getMessage(), e);
        }
        if (extra.isEmpty()) {
            return full;
        }
        ParameterSet.Builder b = ParameterSet.builder();
        full.tensors().forEach(b::add);
        for (Tensor t : extra.tensors()) {
            b.add(t);
        }
        return b.build();
    }

    /**
     * Keeps the local tensors of round {@code round}'s fit (atomically, before anything is uploaded) and returns
     * the fit with only the shared ones (and the variates of the shared ones under SCAFFOLD); the fit itself when
     * nothing is local.
     */
    FitResult kept(int round, FitResult fit) throws IOException {
        if (keys.isEmpty() || fit == null || fit.parameters() == null) {
            return fit;
        }
        ParameterSet local = keys.local(ControlVariates.model(fit.parameters()));
        if (fit.sampleCount() > 0) {
            store.save(round, local);
        }
        ParameterSet shared = fit.parameters().select(n -> !keys.matches(ControlVariates.isVariate(n)
                ? n.substring(ControlVariates.PREFIX.length()) : n));
        return new FitResult(fit.siteId(), shared, fit.sampleCount(), fit.metrics());
    }
}
