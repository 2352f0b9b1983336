package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.jobs.JobProgressControl;
import org.fedfms.ui.internal.parts.ErrorLogPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Errors of background work reach the Error Log part; running work shows its progress and can be cancelled. */
class ErrorLogAndJobsTest {

    private Shell shell;

    @BeforeEach
    void open() {
        shell = Ui.shell();
        SashForm sash = new SashForm(shell, SWT.VERTICAL);
        Ui.make(ErrorLogPart.class, new Composite(sash, SWT.NONE));
        Ui.make(JobProgressControl.class, new Composite(sash, SWT.NONE));
        shell.layout(true, true);
        shell.open();
    }

    @AfterEach
    void close() {
        shell.dispose();
    }

    /** The progress line naming the job shown and its task. */
    private Label status() {
        return Ui.named(shell, Label.class, "jobs.status");
    }

    /** The error log's entries as its rows hold them, newest first, whose message contains {@code text}. */
    private List<ErrorLogPart.Entry> entriesWith(String text) {
        List<ErrorLogPart.Entry> shown = new ArrayList<>();
        for (TableItem item : Ui.named(shell, Table.class, "error-log").getItems()) {
            shown.add((ErrorLogPart.Entry) item.getData());
        }
        return shown.stream().filter(e -> e.message().contains(text)).toList();
    }

    @Test
    void loggedErrorsAppearWithTheirBundleAndException() {
        String message = "site hospital-b sent a model with NaN in layer 3 (" + System.nanoTime() + ")";
        ILog.of(ErrorLogAndJobsTest.class).log(
                new Status(IStatus.ERROR, "org.fedfms.ui.tests", message, new IllegalStateException("NaN")));
        Ui.waitUntil("the error is listed", () -> !entriesWith(message).isEmpty());
        ErrorLogPart.Entry e = entriesWith(message).get(0);
        assertEquals("error", e.level());
        assertEquals("org.fedfms.ui.tests", e.bundle());
        assertTrue(e.exception().startsWith("java.lang.IllegalStateException: NaN"), e.exception());
    }

    @Test
    void aFailingJobIsReportedOnceInTheErrorLog() throws Exception {
        String cause = "dataset folder /data/prostate/site7 is empty (" + System.nanoTime() + ")";
        Job job = BackgroundWork.start("Load the prostate dataset", null, monitor -> {
            throw new IllegalStateException(cause);
        });
        assertTrue(job.join(Ui.TIMEOUT_MS, null));
        assertEquals(IStatus.ERROR, job.getResult().getSeverity());
        Ui.waitUntil("the failure is listed", () -> !entriesWith(cause).isEmpty());
        Ui.pump(300);
        List<ErrorLogPart.Entry> entries = entriesWith(cause);
        assertEquals(1, entries.size(), "reported once: " + entries);
        assertEquals("Load the prostate dataset failed: " + cause, entries.get(0).message());
    }

    @Test
    void runningWorkShowsItsProgressAndCancelStopsIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Job job = BackgroundWork.start("Aggregate round 4", null, monitor -> {
            monitor.subTask("waiting for site-2");
            started.countDown();
            while (true) {
                monitor.checkCanceled();
                Thread.sleep(10);
            }
        });
        assertTrue(started.await(Ui.TIMEOUT_MS, TimeUnit.MILLISECONDS));
        Ui.waitUntil("the progress line names the job",
                () -> status().getText().equals("Aggregate round 4: waiting for site-2"),
                () -> status().getText());
        assertTrue(Ui.named(shell, Button.class, "jobs.cancel").isEnabled());

        Ui.named(shell, Button.class, "jobs.cancel").notifyListeners(SWT.Selection, null);
        assertTrue(job.join(Ui.TIMEOUT_MS, null));
        assertEquals(IStatus.CANCEL, job.getResult().getSeverity());
        Ui.waitUntil("the progress line is idle", () -> status().getText().equals("No background work."),
                () -> status().getText());
        assertTrue(entriesWith("Aggregate round 4").isEmpty(), "a cancelled job is not an error");
    }
}
