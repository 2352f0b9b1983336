package org.fedfms.federation;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.TrainingMonitor;

/**
 * A site as the round loop sees it: it fits the global trainable parameters on its training data and
 * evaluates them on one of its splits. In-process sites wrap a {@link org.fedfms.api.train.SiteTrainer};
 * remote sites (site agents joined to a coordinator) implement the same interface.
 *
 * <p>The engine never calls one site from two threads at once; a site whose call overran the round
 * deadline is not called again until that call has returned.
 */
public interface FederatedSite extends AutoCloseable {

    /** The site and its sample counts. */
    SiteInfo info();

    /** The site id. */
    default String siteId() {
        return info().siteId();
    }

    /** Trainable parameters of a freshly initialised model: the initial global model. */
    ParameterSet initialParameters() throws Exception;

    /**
     * Trains from {@code global} as instructed; returns the updated trainable parameters and the number
     * of samples trained on. Stops early, with an exception, when the monitor says it is cancelled.
     */
    FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception;

    /** Evaluates {@code global} on one split of the site's data. */
    EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor) throws Exception;

    /** Bytes that {@code parameters} take on their way to the site (default: their fp32 values). */
    default long downloadBytes(ParameterSet parameters) {
        return parameters.sizeInBytes();
    }

    /** Bytes that {@code parameters}, an update this site returned, took on their way back (default: fp32 values). */
    default long uploadBytes(ParameterSet parameters) {
        return parameters.sizeInBytes();
    }

    /** Releases the site's model and connections. */
    @Override
    void close();
}
