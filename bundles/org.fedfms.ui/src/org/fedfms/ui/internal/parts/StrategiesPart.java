package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.services.FederationAccess;
import org.fedfms.ui.internal.services.LiveServices;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The aggregation strategies registered now: one row per {@link AggregationStrategy} service with its
 * id, description, settings (defaults and ranges) and bundle. A strategy bundle that starts or stops
 * adds or removes its row at once. Selecting a row shows a {@link SettingsForm} for its settings; "Use in
 * experiment" swaps the strategy, with those settings, into an experiment from its next round
 * ({@link FederationService#swapStrategy}), which the round history then notes.
 */
public class StrategiesPart {

    /** A strategy as a row shows it. */
    private record Row(String id, String description, String settings, String bundle) {
    }

    private Table table;
    private Group settingsGroup;
    private Label settingsHelp;
    private Composite formHolder;
    private Label validation;
    private Button restoreDefaults;
    private SettingsForm form;
    private String formStrategyId;
    private LiveServices<AggregationStrategy> strategies;
    private FederationAccess federation;
    private Combo experimentCombo;
    private Button useButton;
    private Label useResult;

    @Inject
    public StrategiesPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new FillLayout());
        SashForm sash = new SashForm(parent, SWT.VERTICAL);

        table = new Table(sash, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        WidgetName.set(table, "strategies");
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        column("Strategy", 90);
        column("Description", 230);
        column("Settings (defaults)", 235);
        column("Bundle", 230);
        table.addListener(SWT.Selection, e -> showSelectedSettings());

        settingsGroup = new Group(sash, SWT.NONE);
        settingsGroup.setText("Settings");
        settingsGroup.setLayout(new GridLayout(1, false));
        settingsHelp = new Label(settingsGroup, SWT.WRAP);
        settingsHelp.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        formHolder = new Composite(settingsGroup, SWT.NONE);
        formHolder.setLayout(new FillLayout());
        formHolder.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        validation = new Label(settingsGroup, SWT.WRAP);
        validation.setLayoutData(new GridData(SWT.FILL, SWT.BOTTOM, true, false));
        restoreDefaults = new Button(settingsGroup, SWT.PUSH);
        restoreDefaults.setText("Restore defaults");
        restoreDefaults.addListener(SWT.Selection, e -> {
            if (form != null) {
                form.restoreDefaults();
            }
        });
        Composite use = new Composite(settingsGroup, SWT.NONE);
        use.setLayoutData(new GridData(SWT.FILL, SWT.BOTTOM, true, false));
        use.setLayout(new GridLayout(3, false));
        new Label(use, SWT.NONE).setText("Experiment:");
        experimentCombo = new Combo(use, SWT.DROP_DOWN | SWT.READ_ONLY);
        WidgetName.set(experimentCombo, "strategies.experiment");
        GridData comboData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        comboData.widthHint = 200;
        experimentCombo.setLayoutData(comboData);
        experimentCombo.addListener(SWT.MouseDown, e -> refreshExperiments());
        useButton = new Button(use, SWT.PUSH);
        useButton.setText("Use in experiment");
        useButton.setToolTipText("Swap this strategy, with the settings above, into the experiment from its next round");
        useButton.addListener(SWT.Selection, e -> {
            String experiment = experimentCombo.getText();
            try {
                useInExperiment(experiment);
            } catch (RuntimeException ex) {
                useResult.setText("");
                BackgroundWork.report(useButton.getShell(), "Use in experiment",
                        BackgroundWork.failure("Using strategy " + formStrategyId + " in experiment " + experiment, ex));
            }
        });
        useResult = new Label(use, SWT.WRAP);
        useResult.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        sash.setWeights(55, 45);
        showSelectedSettings();
        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        refreshExperiments();

        Bundle own = FrameworkUtil.getBundle(StrategiesPart.class);
        strategies = new LiveServices<>(own.getBundleContext(), AggregationStrategy.class, parent.getDisplay(),
                this::show);
    }

    private void onEvent(FederationEvent event) {
        if (experimentCombo.isDisposed()) {
            return;
        }
        if (experimentCombo.indexOf(event.experiment()) < 0) {
            refreshExperiments();
        }
        if (event instanceof FederationEvent.StrategySwapped swapped
                && swapped.experiment().equals(experimentCombo.getText())) {
            useResult.setText(swapped.toId() + " " + swapped.settings() + " replaces " + swapped.fromId()
                    + " in " + swapped.experiment() + " from round " + swapped.effectiveRound() + ".");
            useResult.getParent().layout();
        }
    }

    /** Lists the experiments of the engine in the experiment choice, running ones first. */
    public void refreshExperiments() {
        FederationService f = federation.current();
        String chosen = experimentCombo.getText();
        List<ExperimentStatus> list = f == null ? List.of() : new ArrayList<>(f.experiments());
        list.sort(Comparator.comparing((ExperimentStatus s) -> s.state() != ExperimentStatus.State.RUNNING)
                .thenComparing(ExperimentStatus::name));
        experimentCombo.setItems(list.stream().map(ExperimentStatus::name).toArray(String[]::new));
        int i = experimentCombo.indexOf(chosen);
        experimentCombo.select(i >= 0 ? i : 0);
        updateUseButton();
    }

    /**
     * Swaps the selected strategy, with the form's settings, into {@code experiment} from its next round.
     *
     * @return the experiment's status after the swap
     * @throws RuntimeException the engine's error (strategy absent, settings rejected, no such experiment)
     */
    public ExperimentStatus useInExperiment(String experiment) {
        if (form == null) {
            throw new IllegalStateException("select a strategy first");
        }
        if (experiment == null || experiment.isEmpty()) {
            throw new IllegalStateException("choose an experiment first (create one in the Experiments part)");
        }
        Map<String, Object> settings = form.typedValues();
        ExperimentStatus s = federation.service().swapStrategy(experiment, formStrategyId, settings);
        useResult.setText(formStrategyId + " " + settings + " aggregates " + experiment + " from round "
                + (s.completedRounds() + 1) + " (the round history notes the change).");
        useResult.getParent().layout();
        return s;
    }

    private void updateUseButton() {
        if (useButton != null && !useButton.isDisposed()) {
            useButton.setEnabled(form != null && experimentCombo.getItemCount() > 0);
        }
    }

    private void column(String title, int width) {
        TableColumn c = new TableColumn(table, SWT.LEFT);
        c.setText(title);
        c.setWidth(width);
    }

    private void show(List<LiveServices.Entry<AggregationStrategy>> entries) {
        if (table.isDisposed()) {
            return;
        }
        String selected = selectedId();
        List<LiveServices.Entry<AggregationStrategy>> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(e -> e.service().id()));
        table.setRedraw(false);
        try {
            table.removeAll();
            for (LiveServices.Entry<AggregationStrategy> e : sorted) {
                Row row = row(e);
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {row.id(), row.description(), row.settings(), row.bundle()});
                item.setData(e);
                if (row.id().equals(selected)) {
                    table.setSelection(item);
                }
            }
        } finally {
            table.setRedraw(true);
        }
        if (table.getSelectionCount() == 0 && table.getItemCount() > 0 && selected == null) {
            table.setSelection(0);
        }
        showSelectedSettings();
    }

    private static Row row(LiveServices.Entry<AggregationStrategy> e) {
        AggregationStrategy s = e.service();
        String settings;
        try {
            settings = s.settings().descriptors().stream().map(StrategiesPart::describe)
                    .collect(Collectors.joining(", "));
        } catch (RuntimeException ex) {
            settings = "(settings unavailable: " + ex.getMessage() + ")";
        }
        Bundle b = e.bundle();
        String bundle = b == null ? "(gone)" : b.getSymbolicName() + " " + b.getVersion();
        return new Row(s.id(), s.description(), settings.isEmpty() ? "none" : settings, bundle);
    }

    private static String describe(SettingDescriptor d) {
        String c = d.constraintText();
        return d.key() + "=" + d.defaultValue() + (c.isEmpty() ? "" : " " + c);
    }

    private String selectedId() {
        TableItem[] sel = table.getSelection();
        return sel.length == 0 ? null : sel[0].getText(0);
    }

    @SuppressWarnings("unchecked")
    private void showSelectedSettings() {
        TableItem[] sel = table.getSelection();
        AggregationStrategy strategy = sel.length == 0 ? null
                : ((LiveServices.Entry<AggregationStrategy>) sel[0].getData()).service();
        String id = strategy == null ? null : strategy.id();
        if (form != null && id != null && id.equals(formStrategyId)) {
            return; // same strategy still there: keep what the user typed
        }
        if (form != null) {
            form.control().dispose();
            form = null;
        }
        formStrategyId = id;
        if (strategy == null) {
            settingsGroup.setText("Settings");
            settingsHelp.setText(table.getItemCount() == 0
                    ? "No aggregation strategy is registered. Start or install a strategy bundle in the Bundles part."
                    : "Select a strategy to see its settings.");
            validation.setText("");
            restoreDefaults.setEnabled(false);
        } else {
            settingsGroup.setText("Settings of " + id);
            settingsHelp.setText(strategy.description()
                    + "\nHover over a setting for its description. Values are checked as the shell and JSON specs check them.");
            form = new SettingsForm(formHolder, strategy.settings());
            form.addValidationListener(this::showValidation);
            showValidation(form.problems());
            restoreDefaults.setEnabled(true);
        }
        updateUseButton();
        settingsGroup.layout(true, true);
    }

    private void showValidation(List<String> problems) {
        if (validation.isDisposed()) {
            return;
        }
        if (problems.isEmpty()) {
            validation.setForeground(null);
            validation.setText("Valid: " + form.values().entrySet().stream()
                    .map(Map.Entry::toString).collect(Collectors.joining(", ")));
        } else {
            validation.setForeground(validation.getDisplay().getSystemColor(SWT.COLOR_RED));
            validation.setText(String.join("\n", problems));
        }
        validation.getParent().layout(true, true);
    }

    @Focus
    public void focus() {
        table.setFocus();
    }

    @PreDestroy
    public void dispose() {
        if (strategies != null) {
            strategies.close();
        }
        if (federation != null) {
            federation.close();
        }
    }
}
