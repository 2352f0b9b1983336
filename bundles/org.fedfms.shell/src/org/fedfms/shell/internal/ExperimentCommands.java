package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.fedfms.api.Metrics;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands that show the federation's experiments (the full experiment command set comes later). */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=experiments",
    "osgi.command.function=status"})
@Descriptor("federated experiments")
public class ExperimentCommands implements CommandSet {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FederationService federation;

    private FederationService federation() {
        FederationService f = federation;
        if (f == null) {
            throw new IllegalStateException("the federation service is not present (bundle org.fedfms.federation "
                    + "is not started)");
        }
        return f;
    }

    @Descriptor("list the experiments with their state, rounds, strategy and last evaluation")
    public Table experiments() {
        FederationService f = federation();
        List<List<String>> rows = new ArrayList<>();
        for (ExperimentStatus s : f.experiments()) {
            rows.add(List.of(s.name(), s.state().name().toLowerCase(Locale.ROOT),
                    s.completedRounds() + "/" + s.plannedRounds(), s.protocol().id(), s.strategyId(),
                    metrics(s.lastEvaluation()), s.message()));
        }
        return new Table(rows.isEmpty() ? "no experiments in " + f.experimentsDirectory() : "",
                List.of("name", "state", "rounds", "protocol", "strategy", "last evaluation", "message"), rows);
    }

    @Descriptor("show where one experiment stands and its last rounds")
    public Table status(@Descriptor("experiment name, as listed by fedfms:experiments") String name) {
        FederationService f = federation();
        ExperimentStatus s = f.status(name);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("state", s.state().name().toLowerCase(Locale.ROOT)));
        rows.add(List.of("rounds", s.completedRounds() + " of " + s.plannedRounds()));
        rows.add(List.of("protocol", s.protocol().id()));
        rows.add(List.of("strategy", s.strategyId() + " " + new TreeMap<>(s.strategySettings())));
        rows.add(List.of("message", s.message().isEmpty() ? "-" : s.message()));
        rows.add(List.of("last evaluation", metrics(s.lastEvaluation())));
        List<RoundResult> history = f.history(name);
        for (RoundResult r : history.subList(Math.max(0, history.size() - 5), history.size())) {
            rows.add(List.of("round " + r.round(), r.okSites() + "/" + r.sites().stream()
                    .filter(x -> x.status() != org.fedfms.api.SiteRoundResult.Status.SKIPPED).count() + " sites ok, "
                    + r.strategyId() + ", " + metrics(r.evaluationMetrics())
                    + (r.note().isEmpty() ? "" : " — " + r.note())));
        }
        rows.add(List.of("directory", f.experimentsDirectory().resolve(name).toString()));
        return new Table("experiment " + s.name(), List.of("field", "value"), rows);
    }

    private static String metrics(Metrics m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            parts.add(e.getKey() + "=" + String.format(Locale.ROOT, "%.4g", e.getValue()));
        }
        return String.join(" ", parts);
    }
}
