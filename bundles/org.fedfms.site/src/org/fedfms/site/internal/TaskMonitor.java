package org.fedfms.site.internal;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.wire.protocol.ProgressReport;

/**
 * The monitor of one task the agent runs: cancelled when the agent stops; logs the trainer's batches at
 * INFO at most every {@value #LOG_EVERY_SECONDS} seconds (and the last batch), with the rate and an ETA; and
 * reports them to the coordinator at most once every {@link ProgressReport#MIN_INTERVAL_MILLIS} ms.
 */
final class TaskMonitor implements TrainingMonitor {

    static final long LOG_EVERY_SECONDS = 5;
    private static final System.Logger LOG = System.getLogger(SiteAgent.class.getName());

    private final int round;
    private final BooleanSupplier running;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;
    private final Consumer<ProgressReport> report;
    private long lastReportNanos;
    private boolean reported;

    TaskMonitor(int round, BooleanSupplier running) {
        this(round, running, r -> { });
    }

    TaskMonitor(int round, BooleanSupplier running, Consumer<ProgressReport> report) {
        this.round = round;
        this.running = running;
        this.report = report;
    }

    @Override
    public void batchDone(String siteId, int batch, int batches, long samples) {
        long now = System.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(ProgressReport.MIN_INTERVAL_MILLIS);
        if (batches >= 1 && batches <= ProgressReport.MAX_BATCHES && batch >= 0 && batch <= batches && samples >= 0
                && samples <= ProgressReport.MAX_SAMPLES && (!reported || now - lastReportNanos >= interval)) {
            reported = true;
            lastReportNanos = now;
            report.accept(new ProgressReport(batch, batches, samples));
        }
        if (batch < batches && now - lastLogNanos < TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS)) {
            return;
        }
        lastLogNanos = now;
        double seconds = (now - startNanos) / 1e9;
        double eta = batch <= 0 ? 0 : seconds * (batches - batch) / batch;
        LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                "site %s: round %d: batch %d/%d, %.1f samples/s, ETA %.0f s", siteId, round, batch, batches,
                seconds > 0 ? samples / seconds : 0, eta));
    }

    @Override
    public void progress(String siteId, double fraction, String message) {
    }

    @Override
    public boolean isCancelled() {
        return !running.getAsBoolean();
    }
}
