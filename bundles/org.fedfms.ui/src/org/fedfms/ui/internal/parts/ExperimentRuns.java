package org.fedfms.ui.internal.parts;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.widgets.Shell;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.jobs.BackgroundWork;

/**
 * A run of an experiment (start, resume, one round) as a Job that follows it round by round: progress and
 * the last evaluation as its sub-task, the Job's cancel as the experiment's, a failure or an unasked-for
 * pause as the Job's error.
 */
final class ExperimentRuns {

    private ExperimentRuns() {
    }

    /** Starts {@code how} on experiment {@code name} and follows it in a Job titled {@code verb name}. */
    static Job run(Shell shell, FederationService f, String verb, String name,
            Function<FederationService, CompletableFuture<ExperimentStatus>> how) {
        return BackgroundWork.start(verb + " " + name, shell, monitor -> follow(f, name, how, monitor));
    }

    /** {@code  | site-1 batch 3/12, ETA 0:41, ...}: the sites' last progress in round {@code round}, if any. */
    private static String training(Collection<FederationEvent.SiteProgress> progress, int round) {
        String sites = progress.stream().filter(p -> p.round() == round)
                .map(p -> p.site() + " batch " + p.batch() + "/" + p.batches() + ", ETA " + p.etaText())
                .collect(Collectors.joining(", "));
        return sites.isEmpty() ? "" : " | " + sites;
    }

    private static void follow(FederationService f, String name,
            Function<FederationService, CompletableFuture<ExperimentStatus>> how, SubMonitor monitor)
            throws Exception {
        int first = f.status(name).completedRounds();
        int reported = 0;
        CompletableFuture<ExperimentStatus> run = how.apply(f);
        while (true) {
            try {
                ExperimentStatus end = run.get(200, TimeUnit.MILLISECONDS);
                if (end.state() == ExperimentStatus.State.FAILED
                        || (end.state() == ExperimentStatus.State.PAUSED && !end.message().contains("at request"))) {
                    throw new FederationException("experiment '" + name + "' " + end.state().name()
                            .toLowerCase(Locale.ROOT) + " after round " + end.completedRounds() + ": " + end.message());
                }
                return;
            } catch (TimeoutException stillRunning) {
                if (monitor.isCanceled()) {
                    f.cancel(name);
                    run.get(30, TimeUnit.SECONDS);
                    throw new OperationCanceledException();
                }
                ExperimentStatus s = f.status(name);
                int planned = Math.max(1, s.plannedRounds() - first);
                monitor.subTask("round " + (s.completedRounds() + 1) + " of " + s.plannedRounds()
                        + (s.lastEvaluation().isEmpty() ? "" : ", last evaluation " + s.lastEvaluation().values()
                                .entrySet().stream().map(e -> e.getKey() + "=" + LineChart.format(e.getValue()))
                                .collect(Collectors.joining(" ")))
                        + training(f.progress(name).values(), s.completedRounds() + 1));
                int done = Math.min(100, 100 * Math.max(0, s.completedRounds() - first) / planned);
                monitor.worked(done - reported);
                reported = Math.max(reported, done);
            }
        }
    }
}
