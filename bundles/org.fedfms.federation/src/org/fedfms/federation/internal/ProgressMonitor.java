package org.fedfms.federation.internal;

import java.util.function.Consumer;

import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.FederationEvent;

/** A site's monitor during its fit that publishes each batch done as a {@link FederationEvent.SiteProgress}. */
final class ProgressMonitor implements TrainingMonitor {

    private final TrainingMonitor delegate;
    private final String experiment;
    private final int round;
    private final Consumer<FederationEvent> publish;
    private final long startNanos = System.nanoTime();

    ProgressMonitor(TrainingMonitor delegate, String experiment, int round, Consumer<FederationEvent> publish) {
        this.delegate = delegate;
        this.experiment = experiment;
        this.round = round;
        this.publish = publish;
    }

    @Override
    public void batchDone(String siteId, int batch, int batches, long samples) {
        if (batches > 0 && batch >= 0 && batch <= batches) {
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            publish.accept(new FederationEvent.SiteProgress(experiment, round, siteId, batch, batches, samples,
                    millis));
        }
        delegate.batchDone(siteId, batch, batches, samples);
    }

    @Override
    public void progress(String siteId, double fraction, String message) {
        delegate.progress(siteId, fraction, message);
    }

    @Override
    public boolean isCancelled() {
        return delegate.isCancelled();
    }
}
