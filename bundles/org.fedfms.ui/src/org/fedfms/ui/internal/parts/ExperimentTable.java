package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.jobs.BackgroundWork;

/**
 * The experiments as a table (name, state, rounds, protocol, strategy, starting point, last evaluation, best
 * validation Dice with its round, message), a row of
 * actions on the selected one, enabled while one is selected, and a line saying where the experiments are.
 */
final class ExperimentTable {

    /** What a row action does to the selected experiment. */
    interface RowAction {
        void run(String experiment) throws Exception;
    }

    private final Composite area;
    private final Table table;
    private Label status;
    private final List<Button> actions = new ArrayList<>();
    private final Supplier<FederationService> federation;

    ExperimentTable(Composite parent, Supplier<FederationService> federation) {
        this.federation = federation;
        area = new Composite(parent, SWT.NONE);
        area.setLayout(new GridLayout(8, false));
        table = new Table(area, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        WidgetName.set(table, "experiments");
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 8, 1));
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Experiment", "130"}, {"State", "80"}, {"Rounds", "65"},
            {"Protocol", "90"}, {"Strategy", "100"}, {"Start", "220"}, {"Last evaluation", "170"}, {"Best (round)", "110"},
            {"Message", "400"}}) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        table.addListener(SWT.Selection, e -> enableActions());
    }

    /** Adds a button that runs {@code action} on the selected experiment; a failure goes to a dialog. */
    void action(String label, String tip, RowAction action) {
        Button b = new Button(area, SWT.PUSH);
        WidgetName.set(b, label);
        b.setText(label);
        b.setToolTipText(tip);
        b.addListener(SWT.Selection, e -> {
            String name = selected();
            if (name == null) {
                return;
            }
            try {
                action.run(name);
            } catch (Exception | LinkageError ex) {
                BackgroundWork.report(table.getShell(), label, BackgroundWork.failure(label + " " + name, ex));
            }
        });
        actions.add(b);
    }

    /** Ends the row of actions with the status line; call once, after the last action. */
    void finishActions() {
        status = new Label(area, SWT.NONE);
        WidgetName.set(status, "experiments-status");
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
    }

    boolean isDisposed() {
        return table.isDisposed();
    }

    /** Lists the experiments again from the engine, keeping the selection. */
    void refresh() {
        if (table.isDisposed()) {
            return;
        }
        FederationService f = federation.get();
        String selected = selected();
        List<ExperimentStatus> shown = f == null ? List.of() : f.experiments();
        table.setRedraw(false);
        try {
            table.removeAll();
            for (ExperimentStatus s : shown) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {s.name(), s.state().name().toLowerCase(Locale.ROOT),
                    s.completedRounds() + "/" + s.plannedRounds(), s.protocol().id(), s.strategyId(),
                    s.startingPoint().describe(),
                    s.lastEvaluation().values().entrySet().stream()
                            .map(e -> e.getKey() + "=" + LineChart.format(e.getValue()))
                            .collect(Collectors.joining(" ")),
                    s.best() == null ? "-" : LineChart.format(s.best().value()) + " (" + s.best().round() + ")",
                    s.message()});
                if (s.state() == ExperimentStatus.State.FAILED) {
                    item.setForeground(1, table.getDisplay().getSystemColor(SWT.COLOR_RED));
                }
                if (s.name().equals(selected)) {
                    table.setSelection(item);
                }
            }
        } finally {
            table.setRedraw(true);
        }
        status.setText(f == null ? "The federation engine is not running."
                : shown.isEmpty() ? "No experiments in " + f.experimentsDirectory() + ": create one below."
                : shown.size() + " experiments in " + f.experimentsDirectory());
        status.getParent().layout();
        enableActions();
    }

    private void enableActions() {
        boolean any = table.getSelectionCount() > 0;
        actions.forEach(b -> b.setEnabled(any));
    }

    private String selected() {
        TableItem[] sel = table.getSelection();
        return sel.length == 0 ? null : sel[0].getText(0);
    }

    /** Selects the experiment's row; false if it is not listed. */
    boolean select(String name) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(0).equals(name)) {
                table.setSelection(i);
                enableActions();
                return true;
            }
        }
        return false;
    }

    void focus() {
        table.setFocus();
    }
}
