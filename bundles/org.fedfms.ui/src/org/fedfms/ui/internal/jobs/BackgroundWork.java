package org.fedfms.ui.internal.jobs;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.MultiStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.jface.dialogs.ErrorDialog;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;

/**
 * Runs work a user started as a {@link Job}, with progress and cancel (shown by
 * {@link JobProgressControl}). A failure is logged, so the Error Log part lists it, and shown in an
 * error dialog over the shell that started it: it never ends up only on stderr.
 */
public final class BackgroundWork {

    /** The symbolic name errors are reported under. */
    public static final String PLUGIN_ID = "org.fedfms.ui";

    /** A piece of background work; throw to fail it, with a message that says what and where. */
    @FunctionalInterface
    public interface Work {
        void run(SubMonitor monitor) throws Exception;
    }

    private BackgroundWork() {
    }

    /**
     * Schedules {@code work} as a user job.
     *
     * @param name what the work does, shown with its progress and in error messages
     * @param shell the shell to show a failure over; null reports in the Error Log only (the job manager
     *        logs a failed job's status)
     * @param work the work
     * @return the scheduled job
     */
    public static Job start(String name, Shell shell, Work work) {
        Job job = new Job(name) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                try {
                    work.run(SubMonitor.convert(monitor, name, 100));
                    return Status.OK_STATUS;
                } catch (OperationCanceledException e) {
                    return Status.CANCEL_STATUS;
                } catch (Exception | LinkageError e) {
                    return failure(name, e);
                } finally {
                    monitor.done();
                }
            }
        };
        job.setUser(true);
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                IStatus result = event.getResult();
                if (result != null && result.matches(IStatus.ERROR)) {
                    show(shell, name, result); // the job manager has logged it already
                }
            }
        });
        job.schedule();
        return job;
    }

    /** A status for a failed piece of work, carrying the cause's message and stack trace. */
    public static IStatus failure(String what, Throwable e) {
        if (e instanceof CoreException ce) {
            MultiStatus ms = new MultiStatus(PLUGIN_ID, 0, what + " failed", e);
            ms.add(ce.getStatus());
            return ms;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Status(IStatus.ERROR, PLUGIN_ID, what + " failed: " + message, e);
    }

    /**
     * Logs {@code status} and, when a shell is given and still open, shows it in an error dialog.
     * Safe to call from any thread.
     */
    public static void report(Shell shell, String title, IStatus status) {
        ILog.of(BackgroundWork.class).log(status);
        show(shell, title, status);
    }

    private static void show(Shell shell, String title, IStatus status) {
        if (shell == null || shell.isDisposed()) {
            return;
        }
        Display display = shell.getDisplay();
        display.asyncExec(() -> {
            if (!shell.isDisposed()) {
                ErrorDialog.openError(shell, title, null, status);
            }
        });
    }
}
