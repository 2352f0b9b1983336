package org.fedfms.ui.internal.viewer;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.ui.internal.jobs.BackgroundWork;

/**
 * The viewer's background work: loading an experiment, evaluating a site, predicting a sample, each a Job
 * with progress and cancel. A generation number says what the viewer shows; work started for an earlier
 * one is dropped when it ends, so a late result never overwrites a newer choice.
 */
public final class ViewerWork {

    /** What a job does. */
    public enum Kind {
        LOAD, EVALUATE, PREDICT
    }

    /** Work of a job; hands its result to the display thread through {@code later}. */
    @FunctionalInterface
    public interface Task {
        void run(SubMonitor monitor, Consumer<Runnable> later) throws Exception;
    }

    private final Control owner;
    private final Consumer<String> status;
    private final Job[] jobs = new Job[Kind.values().length];
    private int generation;

    /**
     * @param owner the control whose display and shell the jobs use; none reports after it is disposed
     * @param status where a failed or cancelled job says so
     */
    public ViewerWork(Control owner, Consumer<String> status) {
        this.owner = owner;
        this.status = status;
    }

    /** The generation shown now. */
    public int generation() {
        return generation;
    }

    /** Cancels the evaluation and prediction under way and starts a new generation; returns it. */
    public int advance() {
        cancel(Kind.EVALUATE);
        cancel(Kind.PREDICT);
        return ++generation;
    }

    /** Cancels the job of that kind, if any. */
    public void cancel(Kind kind) {
        Job job = jobs[kind.ordinal()];
        jobs[kind.ordinal()] = null;
        if (job != null) {
            job.cancel();
        }
    }

    /** Whether the job of that kind is under way. */
    public boolean running(Kind kind) {
        Job job = jobs[kind.ordinal()];
        return job != null && job.getState() != Job.NONE;
    }

    /** Starts a job of generation {@code gen}, replacing the job of its kind. */
    public Job start(Kind kind, String title, int gen, Task task) {
        Display display = owner.getDisplay();
        Job previous = jobs[kind.ordinal()];
        if (previous != null && kind == Kind.PREDICT) {
            previous.cancel();
        }
        Job job = BackgroundWork.start(title, owner.getShell(), monitor -> task.run(monitor,
                update -> onDisplay(display, gen, update)));
        jobs[kind.ordinal()] = job;
        watch(job, gen);
        return job;
    }

    /** Runs {@code update} on the display thread unless the viewer moved on since the work started. */
    private void onDisplay(Display display, int gen, Runnable update) {
        if (display.isDisposed()) {
            throw new OperationCanceledException();
        }
        display.asyncExec(() -> {
            if (!owner.isDisposed() && gen == generation) {
                update.run();
            }
        });
    }

    /**
     * Puts a failed or cancelled job's outcome in the status line (the failure itself goes to a dialog and
     * the Error Log through {@link BackgroundWork}), unless the viewer moved on since.
     */
    private void watch(Job job, int gen) {
        Display display = owner.getDisplay();
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                IStatus result = event.getResult();
                if (result == null || result.isOK() || display.isDisposed()) {
                    return;
                }
                display.asyncExec(() -> {
                    if (!owner.isDisposed() && gen == generation) {
                        status.accept(result.getSeverity() == IStatus.CANCEL ? job.getName() + ": cancelled."
                                : result.getMessage() + " (details in the Error Log)");
                    }
                });
            }
        });
    }

    /** Runs exporter work; its cancellation (after the job's cancel) becomes the job's. */
    public static <T> T cancellable(Callable<T> work) throws Exception {
        try {
            return work.call();
        } catch (CancellationException e) {
            throw new OperationCanceledException(e.getMessage());
        }
    }

    /** Progress of the exporter as the job's progress; the job's cancel as the exporter's. */
    public static TrainingMonitor monitor(SubMonitor monitor) {
        return new TrainingMonitor() {
            private int reported;

            @Override
            public void progress(String siteId, double fraction, String message) {
                int now = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 100);
                if (now > reported) {
                    monitor.worked(now - reported);
                    reported = now;
                }
                monitor.subTask(message);
            }

            @Override
            public boolean isCancelled() {
                return monitor.isCanceled();
            }
        };
    }

    /** Drops whatever is under way. */
    public void dispose() {
        generation++;
        for (Kind k : Kind.values()) {
            cancel(k);
        }
    }
}
