package org.fedfms.shell.internal;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.ExperimentTables;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands that run experiments: in the foreground with a progress line per round and per site
 * (Ctrl-C cancels the run), or in the background; and that pause and resume them.
 */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=run",
    "osgi.command.function=round",
    "osgi.command.function=pause",
    "osgi.command.function=resume"})
@Descriptor("running experiments")
public class RunCommands implements CommandSet {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FederationService federation;

    @Descriptor("run an experiment until its planned rounds are done (or N more rounds), printing a line per round "
            + "and per site; Ctrl-C cancels it (the current round is discarded, completed rounds are kept). Returns "
            + "its status; fails if a round could not complete")
    public Table run(
            @Descriptor("run this many more rounds, also past the planned ones (default: the planned rounds left)")
            @Parameter(names = "--rounds", absentValue = "") String rounds,
            @Descriptor("start it and return at once; follow it with fedfms:status")
            @Parameter(names = "--background", absentValue = "false", presentValue = "true") boolean background,
            @Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        Federations.noUnknownOptions("run", List.of("--rounds", "--background"), name);
        int n = rounds.isBlank() ? 0 : Federations.positive("--rounds", rounds);
        ExperimentStatus before = f.status(name);
        if (n == 0 && before.completedRounds() >= before.plannedRounds()) {
            throw new FederationException("experiment '" + name + "' has completed its " + before.plannedRounds()
                    + " planned rounds; 'fedfms:run --rounds N " + name + "' runs N more");
        }
        if (background) {
            if (n == 0) {
                f.start(name);
            } else {
                f.start(name, n);
            }
            return StatusTables.status(f, name);
        }
        try (ForegroundRun run = new ForegroundRun(f, name, ForegroundRun.commandOutput())) {
            run.follow(() -> n == 0 ? f.start(name) : f.start(name, n));
        }
        return StatusTables.status(f, name);
    }

    @Descriptor("run the next round of an experiment in the foreground (Ctrl-C cancels it) and show its metrics per "
            + "site; fails if the round could not complete")
    public Table round(@Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        int before = f.status(name).completedRounds();
        try (ForegroundRun run = new ForegroundRun(f, name, ForegroundRun.commandOutput())) {
            run.follow(() -> f.start(name, 1));
        }
        List<RoundResult> history = f.history(name);
        if (history.isEmpty() || history.get(history.size() - 1).round() <= before) {
            throw new FederationException("experiment '" + name + "': the round did not complete; "
                    + f.status(name).message());
        }
        RoundResult r = history.get(history.size() - 1);
        return ExperimentTables.metrics("experiment " + name + ", round " + r.round(), List.of(r)).toTable();
    }

    @Descriptor("pause an experiment: a running one stops after its current round, an idle one is marked paused")
    public Table pause(@Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        f.pause(name);
        return StatusTables.status(f, name);
    }

    @Descriptor("resume a paused or failed experiment until its planned rounds are done, in the foreground with "
            + "progress (Ctrl-C cancels it); a running one is followed until it stops")
    public Table resume(
            @Descriptor("resume it and return at once; follow it with fedfms:status")
            @Parameter(names = "--background", absentValue = "false", presentValue = "true") boolean background,
            @Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        Federations.noUnknownOptions("resume", List.of("--background"), name);
        if (background) {
            f.resume(name);
            return StatusTables.status(f, name);
        }
        try (ForegroundRun run = new ForegroundRun(f, name, ForegroundRun.commandOutput())) {
            run.follow(() -> f.resume(name));
        }
        return StatusTables.status(f, name);
    }
}
