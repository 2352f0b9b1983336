package org.fedfms.ui.internal.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.IJobManager;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.core.runtime.jobs.ProgressProvider;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;
import org.fedfms.ui.internal.forms.WidgetName;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The progress line in the workbench's bottom trim: the running user jobs' name, task and progress,
 * with a button that cancels the oldest one. It installs itself as the job manager's progress provider,
 * so every {@link Job} reports here.
 */
public class JobProgressControl {

    /** What one job reported last. */
    private static final class Progress extends NullProgressMonitor {
        private final Job job;
        private final Runnable changed;
        private final long created = System.nanoTime();
        private volatile String task = "";
        private volatile String subTask = "";
        private volatile int total = IProgressMonitor.UNKNOWN;
        private volatile double done;

        Progress(Job job, Runnable changed) {
            this.job = job;
            this.changed = changed;
        }

        @Override
        public void beginTask(String name, int totalWork) {
            task = name == null ? "" : name;
            total = totalWork;
            changed.run();
        }

        @Override
        public void setTaskName(String name) {
            task = name == null ? "" : name;
            changed.run();
        }

        @Override
        public void subTask(String name) {
            subTask = name == null ? "" : name;
            changed.run();
        }

        @Override
        public void internalWorked(double work) {
            done += work;
            changed.run();
        }

        @Override
        public void worked(int work) {
            internalWorked(work);
        }

        @Override
        public void setCanceled(boolean cancelled) {
            super.setCanceled(cancelled);
            if (cancelled) {
                job.cancel();
            }
            changed.run();
        }
    }

    private final Map<Job, Progress> running = new ConcurrentHashMap<>();
    private final AtomicBoolean updatePosted = new AtomicBoolean();
    private final IJobManager manager = Job.getJobManager();
    private Display display;
    private Label text;
    private ProgressBar bar;
    private Button cancel;
    private Progress shown;

    private final JobChangeAdapter jobListener = new JobChangeAdapter() {
        @Override
        public void done(IJobChangeEvent event) {
            running.remove(event.getJob());
            post();
        }
    };

    @Inject
    public JobProgressControl() {
    }

    @PostConstruct
    public void create(Composite parent) {
        display = parent.getDisplay();
        GridLayout layout = new GridLayout(3, false);
        layout.marginHeight = 1;
        parent.setLayout(layout);
        text = WidgetName.set(new Label(parent, SWT.NONE), "jobs.status");
        GridData textData = new GridData(SWT.FILL, SWT.CENTER, true, false);
        textData.widthHint = 420;
        text.setLayoutData(textData);
        bar = new ProgressBar(parent, SWT.HORIZONTAL | SWT.SMOOTH);
        GridData barData = new GridData(SWT.END, SWT.CENTER, false, false);
        barData.widthHint = 160;
        bar.setLayoutData(barData);
        cancel = WidgetName.set(new Button(parent, SWT.PUSH), "jobs.cancel");
        cancel.setText("Cancel");
        cancel.setToolTipText("Cancel the job shown");
        cancel.addListener(SWT.Selection, e -> {
            if (shown != null) {
                shown.setCanceled(true);
            }
        });
        manager.setProgressProvider(new ProgressProvider() {
            @Override
            public IProgressMonitor createMonitor(Job job) {
                if (job.isSystem()) {
                    return new NullProgressMonitor();
                }
                Progress p = new Progress(job, JobProgressControl.this::post);
                running.put(job, p);
                post();
                return p;
            }
        });
        manager.addJobChangeListener(jobListener);
        update();
    }

    private void post() {
        if (display == null || display.isDisposed() || !updatePosted.compareAndSet(false, true)) {
            return;
        }
        display.asyncExec(() -> {
            updatePosted.set(false);
            update();
        });
    }

    private void update() {
        if (text.isDisposed()) {
            return;
        }
        List<Progress> jobs = new ArrayList<>(running.values());
        jobs.sort((a, b) -> Long.compare(a.created, b.created));
        shown = jobs.isEmpty() ? null : jobs.get(0);
        if (shown == null) {
            text.setText("No background work.");
            bar.setSelection(0);
            bar.setEnabled(false);
            cancel.setEnabled(false);
            return;
        }
        String line = shown.job.getName();
        String detail = shown.subTask.isEmpty() ? shown.task : shown.subTask;
        if (!detail.isEmpty() && !detail.equals(line)) {
            line += ": " + detail;
        }
        if (jobs.size() > 1) {
            line += "  (+" + (jobs.size() - 1) + " more)";
        }
        text.setText(line);
        text.setToolTipText(line);
        bar.setEnabled(true);
        bar.setMaximum(1000);
        bar.setSelection(shown.total <= 0 ? 0 : (int) Math.min(1000, 1000 * shown.done / shown.total));
        cancel.setEnabled(!shown.isCanceled());
    }

    @PreDestroy
    public void dispose() {
        manager.removeJobChangeListener(jobListener);
        manager.setProgressProvider(null);
    }
}
