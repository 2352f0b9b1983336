package org.fedfms.api.train;

/** Progress reporting and cancellation for long local work. */
public interface TrainingMonitor {

    /** A monitor that ignores progress and never cancels. */
    TrainingMonitor NONE = new TrainingMonitor() {
        @Override
        public void progress(String siteId, double fraction, String message) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    /** Reports that {@code fraction} (0..1) of the site's current task is done. */
    void progress(String siteId, double fraction, String message);

    /**
     * Reports that batch {@code batch} of the {@code batches} of a site's local training is done, after
     * {@code samples} samples in all. Ignored by default; a trainer reports it besides {@link #progress}, and the
     * federation turns it into its site-progress event.
     */
    default void batchDone(String siteId, int batch, int batches, long samples) {
    }

    /** Whether the work should stop as soon as it can. */
    boolean isCancelled();
}
