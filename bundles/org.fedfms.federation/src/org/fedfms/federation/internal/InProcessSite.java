package org.fedfms.federation.internal;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.FederatedSite;
import org.fedfms.privacy.ClientDpMechanism;

/** A simulated site in this JVM: one {@link SiteTrainer} on one site's data. */
public final class InProcessSite implements FederatedSite {

    private static final System.Logger LOG = System.getLogger(InProcessSite.class.getName());

    private final SiteData data;
    private final SiteInfo info;
    private final SiteTrainer trainer;

    public InProcessSite(SiteData data, SiteTrainer trainer) {
        this.data = data;
        this.info = data.info();
        this.trainer = trainer;
    }

    @Override
    public SiteInfo info() {
        return info;
    }

    /** The site's data. */
    public SiteData data() {
        return data;
    }

    @Override
    public ParameterSet initialParameters() {
        return trainer.initialParameters();
    }

    @Override
    public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        return ClientDpMechanism.apply(trainer.fit(round, global, instructions, monitor), global, instructions);
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        return trainer.evaluate(round, global, split, monitor);
    }

    @Override
    public void close() {
        try {
            trainer.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the trainer of site " + info.siteId() + " failed", e);
        }
    }
}
