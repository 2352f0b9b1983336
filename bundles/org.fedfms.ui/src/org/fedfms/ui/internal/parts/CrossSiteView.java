package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.jobs.BackgroundWork;

/**
 * Cross-site evaluation of the experiment shown (as in NVIDIA FLARE): on request, in the background, the global
 * model and every site's own model scored on every site's evaluated data, a row per model and a column per site.
 */
public final class CrossSiteView {

    private final Composite root;
    private final Supplier<FederationService> federation;
    private final Label status;
    private final Button evaluate;
    private final Table table;
    private String experiment;

    public CrossSiteView(Composite parent, Supplier<FederationService> federation) {
        this.federation = federation;
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(2, false));
        evaluate = new Button(root, SWT.PUSH);
        evaluate.setText("Cross-evaluate");
        evaluate.setToolTipText("Score the global model and each site's last fitted model on every site's data");
        evaluate.addListener(SWT.Selection, e -> start());
        WidgetName.set(evaluate, "cross-evaluate");
        status = new Label(root, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        table = new Table(root, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        WidgetName.set(table, "cross-site");
        show(null);
    }

    public Control control() {
        return root;
    }

    /** Shows the experiment {@code name} (null for none); its matrix is computed when asked for. */
    public void show(String name) {
        if (name != null && name.equals(experiment)) {
            return;
        }
        experiment = name;
        fill(null);
        evaluate.setEnabled(name != null);
        status.setText(name == null ? "" : "Cross-site evaluation of " + name + ": not computed yet");
    }

    /** Computes the matrix of the experiment shown in a background job. */
    public Job start() {
        String name = experiment;
        FederationService f = federation.get();
        if (name == null || f == null) {
            return null;
        }
        evaluate.setEnabled(false);
        status.setText("Cross-evaluating " + name + "...");
        Job job = BackgroundWork.start("Cross-evaluate " + name, root.getShell(), monitor -> {
            CrossSiteEvaluation m;
            try {
                m = f.inspect(name).crossEvaluate(new TrainingMonitor() {
                    @Override
                    public void progress(String siteId, double fraction, String message) {
                    }

                    @Override
                    public boolean isCancelled() {
                        return monitor.isCanceled();
                    }
                });
            } finally {
                root.getDisplay().asyncExec(() -> {
                    if (!root.isDisposed()) {
                        evaluate.setEnabled(experiment != null);
                    }
                });
            }
            root.getDisplay().asyncExec(() -> {
                if (!root.isDisposed() && name.equals(experiment)) {
                    fill(m);
                }
            });
        });
        return job;
    }

    private void fill(CrossSiteEvaluation m) {
        table.removeAll();
        for (TableColumn c : table.getColumns()) {
            c.dispose();
        }
        if (m == null) {
            return;
        }
        List<String> headers = new ArrayList<>(List.of("Model", "Fitted in round"));
        headers.addAll(m.sites());
        headers.add("Mean");
        for (String h : headers) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(h);
            c.setWidth(Math.max(80, 9 * h.length()));
        }
        for (CrossSiteEvaluation.Row r : m.rows()) {
            List<String> cells = new ArrayList<>(List.of(r.model(), Integer.toString(r.fittedRound())));
            r.values().forEach(v -> cells.add(number(v)));
            cells.add(number(r.mean()));
            new TableItem(table, SWT.NONE).setText(cells.toArray(String[]::new));
        }
        status.setText("Cross-site " + m.metric() + " of " + m.experiment() + " after round " + m.round()
                + ": a row per model, a column per site's data");
        root.layout(true, true);
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
