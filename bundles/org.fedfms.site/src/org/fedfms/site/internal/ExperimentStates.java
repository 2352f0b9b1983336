package org.fedfms.site.internal;

import java.nio.file.Path;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.ControlVariateSite;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;

/**
 * What a site agent keeps of an experiment between rounds, and the site steps that use it: SCAFFOLD's control
 * variate, Ditto's personal model and the experiment's local parameters ({@link LocalParameterStates}), in
 * {@code <fedfms.workdir or ~/.fedfms>/site-<id>/experiments/<experiment>/} (owner-only, beside its starting
 * states; the experiment's name as the coordinator sent it becomes a plain folder name first). Files survive an
 * agent restart.
 */
final class ExperimentStates {

    private ExperimentStates() {
    }

    /** The folder of one experiment at this site. */
    static Path directory(String siteId, String experiment) {
        return StartingStates.defaultDirectory(siteId).resolveSibling("experiments")
                .resolve(SiteStateStore.folderName(experiment));
    }

    /**
     * A fit task: the trainer's fit with the site steps the round and the trainer spec ask for, on the shared
     * parameters received completed with the site's own {@code localParameters}; the result holds the shared ones.
     */
    static FitResult fit(String siteId, String experiment, TrainerSpec spec, SiteTrainer trainer, int round,
            ParameterSet received, FitInstructions instructions, TrainingMonitor monitor, String localParameters)
            throws Exception {
        Path dir = directory(siteId, experiment);
        LocalParameterStates local = LocalParameterStates.of(siteId, localParameters, dir, trainer);
        ParameterSet global = local.completed(round, received);
        FitResult r = ControlVariateSite.fit(siteId, round, global, new SiteStateStore(dir, ControlVariateSite.KIND),
                start -> trainer.fit(round, start, instructions, monitor));
        PersonalModelSite personal = PersonalModelSite.of(siteId, spec.options(), dir);
        if (personal != null) {
            personal.train(round, global, (start, fi) -> trainer.fit(round, start, fi, monitor));
        }
        return local.kept(round, r);
    }

    /**
     * An evaluate task: the global model's scores (its shared parameters completed with the site's own
     * {@code localParameters}), with the personal model's beside them under Ditto.
     */
    static EvaluateResult evaluate(String siteId, String experiment, TrainerSpec spec, SiteTrainer trainer,
            int round, ParameterSet received, DataSplit split, TrainingMonitor monitor, String localParameters)
            throws Exception {
        ParameterSet global = LocalParameterStates.of(siteId, localParameters, directory(siteId, experiment), trainer)
                .completed(round + 1, received);
        EvaluateResult r = trainer.evaluate(round, global, split, monitor);
        PersonalModelSite personal = PersonalModelSite.of(siteId, spec.options(), directory(siteId, experiment));
        return personal == null ? r : personal.evaluate(round, r, p -> trainer.evaluate(round, p, split, monitor));
    }
}
