package org.fedfms.federation.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederatedSite;

/**
 * A simulated site that keeps what it fitted ({@link FittedModels}) and its own values of the experiment's
 * {@link LocalParameters}: it trains and evaluates the shared parameters it receives completed with its own
 * local ones (the initial values until it first trains), and sends back only the shared ones.
 */
final class PersonalizedSite extends SiteDecorator {

    private final LocalParameters keys;
    private final FittedModels fitted;
    private ParameterSet base;

    PersonalizedSite(FederatedSite inner, LocalParameters keys, Path experimentDirectory) {
        super(inner);
        this.keys = keys;
        this.fitted = new FittedModels(experimentDirectory, inner.siteId());
    }

    /**
     * {@code site} keeping its fitted models and local parameters under {@code experimentDirectory}, for protocols
     * that aggregate; the site itself for the others (they keep their models in the checkpoint).
     */
    static FederatedSite wrap(FederatedSite site, ExperimentSpec spec, Path experimentDirectory) {
        return spec.protocol().aggregates()
                ? new PersonalizedSite(site, LocalParameters.parse(spec.sharing().localParameters()), experimentDirectory)
                : site;
    }

    @Override
    public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        FitResult r = inner.fit(round, complete(round - 1, global), instructions, monitor);
        if (r == null || r.parameters() == null || monitor.isCancelled()) {
            return r; // a cancelled or abandoned call keeps nothing: its experiment may be gone
        }
        try {
            fitted.save(round, r.parameters());
        } catch (IOException e) {
            throw new IOException("site '" + siteId() + "', round " + round + ": its fitted model cannot be kept in "
                    + fitted.directory() + ": " + e.getMessage(), e);
        }
        return new FitResult(r.siteId(), keys.shared(r.parameters()), r.sampleCount(), r.metrics());
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        return inner.evaluate(round, complete(round, global), split, monitor);
    }

    /** {@code global} with this site's own local parameters, as fitted up to {@code round}. */
    private ParameterSet complete(int round, ParameterSet global) throws Exception {
        if (keys.isEmpty()) {
            return global;
        }
        FittedModels.Fitted own = fitted.latestUpTo(round);
        ParameterSet local = keys.local(own != null ? own.parameters() : base());
        return base().withReplaced(global).withReplaced(local);
    }

    private synchronized ParameterSet base() throws Exception {
        if (base == null) {
            base = inner.initialParameters();
        }
        return base;
    }
}
