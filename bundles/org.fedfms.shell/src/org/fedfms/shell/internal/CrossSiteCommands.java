package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo command for cross-site evaluation (as in NVIDIA FLARE): every model on every site's data. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=crossevaluate",
    HyphenatedCommands.PROPERTY + "=cross-evaluate"})
@Descriptor("cross-site evaluation")
public class CrossSiteCommands implements CommandSet {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FederationService federation;

    @Descriptor("score the global model and every site's own model (the parameters it fitted in the last round it "
            + "trained; a local-only site's model) on every site's evaluated split (validation; test for the unseen "
            + "site): a row per model, a column per site's data (Dice), and their mean; export writes it as "
            + "cross-site.csv")
    public Table crossEvaluate(@Descriptor(SharedArguments.EXPERIMENT) String name)
            throws Exception {
        FederationService f = Federations.require(federation);
        return table(f.inspect(name).crossEvaluate(interruptible())).toTable();
    }

    /** The matrix as a table: model, fitted round, a column per site's data, mean. */
    static DataTable table(CrossSiteEvaluation m) {
        List<String> headers = new ArrayList<>(List.of("model", "round"));
        m.sites().forEach(s -> headers.add(s));
        headers.add("mean");
        List<List<Object>> rows = new ArrayList<>();
        for (CrossSiteEvaluation.Row r : m.rows()) {
            List<Object> cells = new ArrayList<>(List.of(r.model(), r.fittedRound()));
            cells.addAll(r.values());
            cells.add(r.mean());
            rows.add(cells);
        }
        String title = "experiment " + m.experiment() + ", round " + m.round() + ": " + m.metric() + " of each model "
                + "(rows) on each site's evaluated data (columns)";
        return new DataTable(title, headers, rows);
    }

    /** A monitor that cancels when the calling thread is interrupted (Ctrl-C). */
    static TrainingMonitor interruptible() {
        Thread caller = Thread.currentThread();
        return new TrainingMonitor() {
            @Override
            public void progress(String siteId, double fraction, String message) {
            }

            @Override
            public boolean isCancelled() {
                return caller.isInterrupted();
            }
        };
    }
}
