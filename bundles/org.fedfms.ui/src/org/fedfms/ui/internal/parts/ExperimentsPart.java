package org.fedfms.ui.internal.parts;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Shell;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.services.FederationAccess;
import org.fedfms.ui.internal.services.LiveServices;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The experiments of the federation engine with their state ({@link ExperimentTable}), and the
 * {@link ExperimentForm} that creates one. Start, resume and one round run as Jobs with progress and
 * cancel ({@link ExperimentRuns}); failures show in a dialog and the Error Log.
 */
public class ExperimentsPart {

    private FederationAccess federation;
    private ExperimentTable table;
    private ExperimentForm form;
    private LiveServices<AggregationStrategy> strategies;
    private LiveServices<DatasetLoader> loaders;
    private LiveServices<SiteTrainerFactory> trainers;
    private Shell shell;

    @Inject
    public ExperimentsPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        shell = parent.getShell();
        parent.setLayout(new FillLayout());
        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        table = new ExperimentTable(sash, () -> federation.current());
        table.action("Start", "Run in the background until the planned rounds are done",
                n -> run("Start", n, f -> f.start(n)));
        table.action("Pause", "Stop after the current round", n -> {
            federation.service().pause(n);
            table.refresh();
        });
        table.action("Resume", "Clear a pause or failure and run until the planned rounds are done",
                n -> run("Resume", n, f -> f.resume(n)));
        table.action("One round", "Run one more round", n -> run("One round of", n, f -> f.start(n, 1)));
        table.action("Cancel", "Stop now; the current round is abandoned, the global model unchanged", n -> {
            federation.service().cancel(n);
            table.refresh();
        });
        table.action("Copy into form", "Fill the form below with this experiment's spec",
                n -> form.edit(federation.service().spec(n)));
        table.finishActions();
        form = new ExperimentForm(sash, id -> present(loaders, DatasetLoader::id, id),
                id -> present(strategies, AggregationStrategy::id, id), this::createFromForm);
        sash.setWeights(40, 60);

        BundleContext context = FrameworkUtil.getBundle(ExperimentsPart.class).getBundleContext();
        strategies = new LiveServices<>(context, AggregationStrategy.class, parent.getDisplay(),
                l -> offer("strategy", l, AggregationStrategy::id));
        loaders = new LiveServices<>(context, DatasetLoader.class, parent.getDisplay(),
                l -> offer("dataset", l, DatasetLoader::id));
        trainers = new LiveServices<>(context, SiteTrainerFactory.class, parent.getDisplay(),
                l -> offer("trainer", l, SiteTrainerFactory::id));
        federation = new FederationAccess(parent.getDisplay(), event -> table.refresh());
        table.refresh();
    }

    private static <S> S present(LiveServices<S> services, Function<S, String> id, String wanted) {
        return services == null ? null : services.current().stream().map(LiveServices.Entry::service)
                .filter(s -> id.apply(s).equals(wanted)).findFirst().orElse(null);
    }

    private <S> void offer(String key, List<LiveServices.Entry<S>> entries, Function<S, String> id) {
        form.servicesChanged(key, entries.stream().map(e -> id.apply(e.service())).sorted().toList());
    }

    private void createFromForm() {
        ExperimentSpec spec;
        try {
            spec = form.spec();
        } catch (SettingsException e) {
            BackgroundWork.report(shell, "Create experiment", BackgroundWork.failure("Create experiment", e));
            return;
        }
        Job job = BackgroundWork.start("Create experiment " + spec.name(), shell, monitor -> {
            monitor.subTask("checking the spec and services and writing the spec");
            federation.service().create(spec);
        });
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                shell.getDisplay().asyncExec(() -> {
                    table.refresh();
                    table.select(spec.name());
                });
            }
        });
    }

    private Job run(String verb, String name, Function<FederationService, CompletableFuture<ExperimentStatus>> how) {
        return ExperimentRuns.run(shell, federation.service(), verb, name, how);
    }

    @Focus
    public void focus() {
        table.refresh();
        table.focus();
    }

    @PreDestroy
    public void dispose() {
        for (AutoCloseable c : new AutoCloseable[] {strategies, loaders, trainers, federation}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing trackers does not fail
            }
        }
    }
}
