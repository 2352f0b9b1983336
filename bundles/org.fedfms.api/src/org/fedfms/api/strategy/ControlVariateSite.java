package org.fedfms.api.strategy;

import org.fedfms.api.ParameterSet;

/**
 * A site's side of SCAFFOLD, between what the coordinator sends and the site's trainer (see
 * {@link ControlVariates}): when the round carries the server variate {@code c}, the site reads its own variate
 * {@code c_i} (zeros at first), has its trainer correct every gradient by {@code c − c_i}, keeps its new variate
 * {@code c_i⁺ = c_i − c + (x − y_i)/(K·η)} and sends {@code Δc_i = c_i⁺ − c_i} beside its model. Rounds without
 * variates go to the trainer untouched. In-process sites and site agents share it; each keeps its variates in
 * its own {@link SiteStateStore}.
 */
public final class ControlVariateSite {

    /** The file name stem of the variates in a site's state folder. */
    public static final String KIND = "variate";

    /** One round of local training from the given start. */
    @FunctionalInterface
    public interface Training {
        FitResult fit(ParameterSet start) throws Exception;
    }

    private ControlVariateSite() {
    }

    /**
     * Trains one round, with SCAFFOLD's site step when {@code sent} carries variates.
     *
     * @param store where the site keeps its variate; may be null for rounds without variates
     * @throws IllegalStateException naming the site when the round carries variates the site cannot use
     */
    public static FitResult fit(String siteId, int round, ParameterSet sent, SiteStateStore store,
            Training training) throws Exception {
        if (!ControlVariates.present(sent)) {
            return training.fit(sent);
        }
        String where = "site '" + siteId + "', round " + round;
        if (store == null) {
            throw new IllegalStateException(where + ": the round sends SCAFFOLD control variates, but this site "
                    + "has no folder to keep its own in");
        }
        ParameterSet x = ControlVariates.model(sent);
        ParameterSet c = ControlVariates.variates(sent);
        ParameterSet ci = store.before(round).map(SiteStateStore.Saved::tensors)
                .orElseGet(() -> ControlVariates.zerosLike(c));
        if (!c.layoutDifferences(ci).isEmpty()) {
            throw new IllegalStateException(where + ": the control variate kept in " + store.directory()
                    + " does not fit the model of this round; remove the folder to start the site's variate at zero");
        }
        FitResult r = training.fit(ControlVariates.with(x, ControlVariates.combine(c, 1, ci, -1)));
        ParameterSet y = ControlVariates.model(r.parameters());
        if (r.sampleCount() == 0) {
            return new FitResult(r.siteId(), ControlVariates.with(y, ControlVariates.zerosLike(c)), 0, r.metrics());
        }
        if (!ControlVariates.present(r.parameters())) {
            throw new IllegalStateException(where + ": the site's trainer does not support SCAFFOLD (it returned no "
                    + "mean gradient beside its model); use another strategy with it");
        }
        ParameterSet g = ControlVariates.variates(r.parameters());
        ParameterSet delta = ControlVariates.combine(g, 1, c, -1);
        store.save(round, ControlVariates.combine(ci, 1, delta, 1));
        return new FitResult(r.siteId(), ControlVariates.with(y, delta), r.sampleCount(), r.metrics());
    }
}
