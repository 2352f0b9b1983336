package org.fedfms.api.train;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;

/**
 * Trains and evaluates a model on one site's data. Holds the site's model between rounds; only
 * trainable parameters go in and out.
 */
public interface SiteTrainer extends AutoCloseable {

    /** The site this trainer works on. */
    String siteId();

    /** The trainable parameters of the freshly initialised model (the initial global model). */
    ParameterSet initialParameters();

    /**
     * Loads {@code global} into the model, trains locally as instructed and returns the updated
     * trainable parameters with the number of samples trained on.
     *
     * @throws Exception with a message naming the site and what failed
     */
    FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception;

    /** Evaluates {@code global} on one split of the site's data; metrics are means over samples. */
    EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception;

    /** Releases models and native memory. */
    @Override
    void close();
}
