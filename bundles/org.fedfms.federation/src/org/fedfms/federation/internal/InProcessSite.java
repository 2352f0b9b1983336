package org.fedfms.federation.internal;

import java.nio.file.Path;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.ControlVariateSite;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.strategy.SiteStateStore;
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
    private final SiteStateStore variates;
    private final PersonalModelSite personal;

    public InProcessSite(SiteData data, SiteTrainer trainer) {
        this(data, trainer, null, Map.of());
    }

    /**
     * @param stateDirectory where the site keeps what it holds between rounds (SCAFFOLD's variate, Ditto's
     *     personal model), null for none
     * @param trainerOptions the experiment's trainer options (Ditto's {@value PersonalModelSite#OPTION})
     */
    public InProcessSite(SiteData data, SiteTrainer trainer, Path stateDirectory, Map<String, ?> trainerOptions) {
        this.data = data;
        this.info = data.info();
        this.trainer = trainer;
        this.variates = stateDirectory == null ? null : new SiteStateStore(stateDirectory, ControlVariateSite.KIND);
        this.personal = stateDirectory == null ? null
                : PersonalModelSite.of(info.siteId(), trainerOptions, stateDirectory);
    }

    /** The folder of a site's own state in an experiment's folder: {@code site-state/<site>}. */
    static Path stateDirectory(Path experimentDirectory, String siteId) {
        return experimentDirectory.resolve("site-state").resolve(SiteStateStore.folderName(siteId));
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
        FitResult r = ControlVariateSite.fit(info.siteId(), round, global, variates,
                start -> trainer.fit(round, start, instructions, monitor));
        if (personal != null) {
            personal.train(round, global, (start, fi) -> trainer.fit(round, start, fi, monitor));
        }
        return ClientDpMechanism.apply(r, global, instructions);
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        EvaluateResult r = trainer.evaluate(round, global, split, monitor);
        return personal == null ? r : personal.evaluate(round, r, p -> trainer.evaluate(round, p, split, monitor));
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
