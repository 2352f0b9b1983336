package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.settings.SettingsText;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.services.FederationAccess;
import org.fedfms.ui.internal.services.LiveServices;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The experiments of the federation engine with their state, and a form generated from
 * {@link ExperimentSpec#SCHEMA} to create one: model, adapter, trainer, dataset and strategy (offered from
 * the services present now), the dataset loader's and the strategy's own settings forms, and trainer
 * options. Start, resume and one round run as Jobs with progress and cancel; failures show in a dialog and
 * the Error Log.
 */
public class ExperimentsPart {

    /** An experiment as its row shows it. */
    public record Row(String name, String state, int completedRounds, int plannedRounds, String protocol,
            String strategy, String lastEvaluation, String message) {
    }

    private static final Set<String> MAP_SETTINGS = Set.of("datasetSettings", "strategySettings", "trainerOptions");
    private static final Set<String> SERVICE_IDS = Set.of("model", "adapter", "trainer", "dataset", "strategy");

    private FederationAccess federation;
    private Table table;
    private Label tableStatus;
    private Composite formArea;
    private ScrolledComposite scroller;
    private SettingsForm specForm;
    private Group datasetGroup;
    private SettingsForm datasetForm;
    private String datasetFormId;
    private Group strategyGroup;
    private SettingsForm strategyForm;
    private String strategyFormId;
    private Text trainerOptions;
    private Label validation;
    private Button createButton;
    private final List<Button> rowActions = new ArrayList<>();
    private LiveServices<AggregationStrategy> strategies;
    private LiveServices<DatasetLoader> loaders;
    private LiveServices<SiteTrainerFactory> trainers;
    private List<ExperimentStatus> shown = List.of();

    @Inject
    public ExperimentsPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new FillLayout());
        SashForm sash = new SashForm(parent, SWT.VERTICAL);

        Composite top = new Composite(sash, SWT.NONE);
        top.setLayout(new GridLayout(8, false));
        table = new Table(top, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 8, 1));
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Experiment", "130"}, {"State", "80"}, {"Rounds", "65"},
            {"Protocol", "90"}, {"Strategy", "100"}, {"Last evaluation", "170"}, {"Message", "400"}}) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        table.addListener(SWT.Selection, e -> enableActions());
        action(top, "Start", "Run in the background until the planned rounds are done", n -> run("Start", n,
                f -> f.start(n)));
        action(top, "Pause", "Stop after the current round", n -> {
            federation.service().pause(n);
            refresh();
        });
        action(top, "Resume", "Clear a pause or failure and run until the planned rounds are done",
                n -> run("Resume", n, f -> f.resume(n)));
        action(top, "One round", "Run one more round", n -> run("One round of", n, f -> f.start(n, 1)));
        action(top, "Cancel", "Stop now; the current round is abandoned, the global model unchanged", n -> {
            federation.service().cancel(n);
            refresh();
        });
        action(top, "Copy into form", "Fill the form below with this experiment's spec", n -> {
            edit(federation.service().spec(n));
        });
        tableStatus = new Label(top, SWT.NONE);
        tableStatus.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));

        scroller = new ScrolledComposite(sash, SWT.V_SCROLL | SWT.H_SCROLL | SWT.BORDER);
        formArea = new Composite(scroller, SWT.NONE);
        formArea.setLayout(new GridLayout(2, false));
        scroller.setContent(formArea);
        scroller.setExpandHorizontal(true);
        scroller.setExpandVertical(true);

        Group specGroup = new Group(formArea, SWT.NONE);
        specGroup.setText("New experiment");
        specGroup.setLayout(new FillLayout());
        specGroup.setLayoutData(new GridData(SWT.FILL, SWT.TOP, false, false, 1, 3));
        specForm = new SettingsForm(specGroup, ExperimentSpec.SCHEMA, MAP_SETTINGS, SERVICE_IDS);
        specForm.suggest("model", List.of(ExperimentSpec.DEFAULTS.model()));
        specForm.suggest("adapter", List.of(ExperimentSpec.DEFAULTS.adapter()));
        specForm.addChangeListener("dataset", id -> showDatasetForm());
        specForm.addChangeListener("strategy", id -> showStrategyForm());
        specForm.addValidationListener(p -> showValidation());

        datasetGroup = new Group(formArea, SWT.NONE);
        datasetGroup.setLayout(new FillLayout());
        datasetGroup.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        strategyGroup = new Group(formArea, SWT.NONE);
        strategyGroup.setLayout(new FillLayout());
        strategyGroup.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));

        Group optionsGroup = new Group(formArea, SWT.NONE);
        optionsGroup.setText("Trainer options");
        optionsGroup.setLayout(new GridLayout(1, false));
        optionsGroup.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        trainerOptions = new Text(optionsGroup, SWT.BORDER);
        trainerOptions.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        trainerOptions.setToolTipText("key=value pairs separated by spaces or commas, e.g. loss=bce promptMode=none; "
                + "numbers and true/false are typed");
        trainerOptions.addListener(SWT.Modify, e -> showValidation());
        new Label(optionsGroup, SWT.WRAP).setText("key=value pairs, space- or comma-separated (loss, optimizer, ...)");

        Composite buttons = new Composite(formArea, SWT.NONE);
        buttons.setLayout(new GridLayout(2, false));
        buttons.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        createButton = new Button(buttons, SWT.PUSH);
        createButton.setText("Create experiment");
        createButton.addListener(SWT.Selection, e -> createFromForm());
        validation = new Label(buttons, SWT.WRAP);
        validation.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        sash.setWeights(40, 60);

        BundleContext context = FrameworkUtil.getBundle(ExperimentsPart.class).getBundleContext();
        strategies = new LiveServices<>(context, AggregationStrategy.class, parent.getDisplay(),
                l -> servicesChanged("strategy", l, AggregationStrategy::id));
        loaders = new LiveServices<>(context, DatasetLoader.class, parent.getDisplay(),
                l -> servicesChanged("dataset", l, DatasetLoader::id));
        trainers = new LiveServices<>(context, SiteTrainerFactory.class, parent.getDisplay(),
                l -> servicesChanged("trainer", l, SiteTrainerFactory::id));
        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        showDatasetForm();
        showStrategyForm();
        refresh();
    }

    private interface RowAction {
        void run(String experiment) throws Exception;
    }

    private void action(Composite parent, String label, String tip, RowAction action) {
        Button b = new Button(parent, SWT.PUSH);
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
        rowActions.add(b);
    }

    private <S> void servicesChanged(String key, List<LiveServices.Entry<S>> entries, Function<S, String> id) {
        if (table.isDisposed()) {
            return;
        }
        List<String> ids = entries.stream().map(e -> id.apply(e.service())).sorted().toList();
        specForm.suggest(key, ids);
        if (key.equals("dataset")) {
            showDatasetForm();
        } else if (key.equals("strategy")) {
            showStrategyForm();
        }
    }

    private void onEvent(FederationEvent event) {
        if (!table.isDisposed()) {
            refresh();
        }
    }

    /** Lists the experiments again from the engine. */
    public void refresh() {
        if (table.isDisposed()) {
            return;
        }
        FederationService f = federation.current();
        String selected = selected();
        shown = f == null ? List.of() : f.experiments();
        table.setRedraw(false);
        try {
            table.removeAll();
            for (Row r : rows()) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {r.name(), r.state(), r.completedRounds() + "/" + r.plannedRounds(),
                    r.protocol(), r.strategy(), r.lastEvaluation(), r.message()});
                if (r.state().equals("failed")) {
                    item.setForeground(1, table.getDisplay().getSystemColor(SWT.COLOR_RED));
                }
                if (r.name().equals(selected)) {
                    table.setSelection(item);
                }
            }
        } finally {
            table.setRedraw(true);
        }
        tableStatus.setText(f == null ? "The federation engine is not running."
                : shown.isEmpty() ? "No experiments in " + f.experimentsDirectory() + ": create one below."
                : shown.size() + " experiments in " + f.experimentsDirectory());
        tableStatus.getParent().layout();
        enableActions();
    }

    private void enableActions() {
        boolean any = table.getSelectionCount() > 0;
        rowActions.forEach(b -> b.setEnabled(any));
    }

    private String selected() {
        TableItem[] sel = table.getSelection();
        return sel.length == 0 ? null : sel[0].getText(0);
    }

    /** Selects the experiment's row; false if it is not listed. */
    public boolean select(String name) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(0).equals(name)) {
                table.setSelection(i);
                enableActions();
                return true;
            }
        }
        return false;
    }

    private void showDatasetForm() {
        String id = specForm.values().get("dataset");
        DatasetLoader loader = loaders == null ? null : loaders.current().stream().map(LiveServices.Entry::service)
                .filter(l -> l.id().equals(id)).findFirst().orElse(null);
        if (id.equals(datasetFormId) && (loader == null ? datasetForm == null
                : datasetForm != null && datasetForm.schema() == loader.settings())) {
            return; // the same loader's form: keep what the user typed
        }
        datasetFormId = id;
        datasetForm = rebuild(datasetGroup, datasetForm, "Dataset " + id,
                loader == null ? null : loader.settings(), "No dataset loader '" + id + "' is registered now.");
    }

    private void showStrategyForm() {
        String id = specForm.values().get("strategy");
        AggregationStrategy strategy = strategies == null ? null : strategies.current().stream()
                .map(LiveServices.Entry::service).filter(s -> s.id().equals(id)).findFirst().orElse(null);
        if (id.equals(strategyFormId) && (strategy == null ? strategyForm == null
                : strategyForm != null && strategyForm.schema() == strategy.settings())) {
            return; // the same strategy's form: keep what the user typed
        }
        strategyFormId = id;
        strategyForm = rebuild(strategyGroup, strategyForm, "Strategy " + id,
                strategy == null ? null : strategy.settings(), "No aggregation strategy '" + id
                        + "' is registered now.");
    }

    private SettingsForm rebuild(Group group, SettingsForm old, String title, SettingsSchema<?> schema,
            String absent) {
        for (var child : group.getChildren()) {
            child.dispose();
        }
        group.setText(title);
        SettingsForm form = null;
        if (schema == null) {
            new Label(group, SWT.WRAP).setText(absent);
        } else {
            form = new SettingsForm(group, schema);
            form.addValidationListener(p -> showValidation());
        }
        formArea.layout(true, true);
        scroller.setMinSize(formArea.computeSize(SWT.DEFAULT, SWT.DEFAULT));
        showValidation();
        return form;
    }

    private void showValidation() {
        if (validation == null || validation.isDisposed()) {
            return;
        }
        List<String> problems = new ArrayList<>(specForm.problems());
        if (datasetForm == null) {
            problems.add("no dataset loader '" + specForm.values().get("dataset") + "' is registered now");
        } else {
            problems.addAll(datasetForm.problems());
        }
        if (strategyForm == null) {
            problems.add("no aggregation strategy '" + specForm.values().get("strategy") + "' is registered now");
        } else {
            problems.addAll(strategyForm.problems());
        }
        try {
            parseOptions(trainerOptions.getText());
        } catch (SettingsException e) {
            problems.addAll(e.problems());
        }
        validation.setForeground(problems.isEmpty() ? null : validation.getDisplay().getSystemColor(SWT.COLOR_RED));
        validation.setText(problems.isEmpty() ? "Ready to create." : String.join("\n", problems));
        createButton.setEnabled(problems.isEmpty());
        validation.getParent().layout(true, true);
        scroller.setMinSize(formArea.computeSize(SWT.DEFAULT, SWT.DEFAULT));
    }

    /** Trainer options from {@code k=v} pairs separated by spaces or commas, as {@link SettingsText} reads them. */
    static Map<String, Object> parseOptions(String text) {
        return SettingsText.parse("trainer options", text);
    }

    /**
     * The spec the form holds now.
     *
     * @throws SettingsException listing every problem of the form's values
     */
    public ExperimentSpec specFromForm() {
        ExperimentSpec base = (ExperimentSpec) specForm.bind();
        if (datasetForm == null || strategyForm == null) {
            throw new SettingsException("experiment spec '" + base.name() + "'", List.of(datasetForm == null
                    ? "no dataset loader '" + base.dataset() + "' is registered now"
                    : "no aggregation strategy '" + base.strategy() + "' is registered now"));
        }
        return base.toBuilder().datasetSettings(datasetForm.typedValues())
                .strategySettings(strategyForm.typedValues())
                .trainerOptions(parseOptions(trainerOptions.getText())).build().requireValid();
    }

    /** Fills the form with {@code spec}. */
    public void edit(ExperimentSpec spec) {
        Map<String, Object> values = new LinkedHashMap<>(ExperimentSpec.SCHEMA.toMap(spec));
        values.keySet().removeAll(MAP_SETTINGS);
        specForm.setValues(values);
        showDatasetForm();
        showStrategyForm();
        if (datasetForm != null) {
            datasetForm.setValues(spec.datasetSettings());
        }
        if (strategyForm != null) {
            strategyForm.setValues(spec.strategySettings());
        }
        trainerOptions.setText(spec.trainerOptions().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        showValidation();
    }

    /** Creates the experiment the form holds, as a Job; the job, or null when the form is invalid (reported). */
    public Job createFromForm() {
        ExperimentSpec spec;
        try {
            spec = specFromForm();
        } catch (SettingsException e) {
            BackgroundWork.report(table.getShell(), "Create experiment", BackgroundWork.failure("Create experiment", e));
            return null;
        }
        Job job = BackgroundWork.start("Create experiment " + spec.name(), table.getShell(), monitor -> {
            monitor.subTask("checking services and writing the spec");
            federation.service().create(spec);
        });
        job.addJobChangeListener(new org.eclipse.core.runtime.jobs.JobChangeAdapter() {
            @Override
            public void done(org.eclipse.core.runtime.jobs.IJobChangeEvent event) {
                table.getDisplay().asyncExec(() -> {
                    refresh();
                    select(spec.name());
                });
            }
        });
        return job;
    }

    /** Starts the selected experiment's run as a Job (Start); null when none is selected. */
    public Job start(String name) {
        return run("Start", name, f -> f.start(name));
    }

    /** Runs one round of {@code name} as a Job. */
    public Job oneRound(String name) {
        return run("One round of", name, f -> f.start(name, 1));
    }

    /** Resumes {@code name} as a Job. */
    public Job resume(String name) {
        return run("Resume", name, f -> f.resume(name));
    }

    private Job run(String verb, String name, Function<FederationService, CompletableFuture<ExperimentStatus>> how) {
        FederationService f = federation.service();
        return BackgroundWork.start(verb + " " + name, table.getShell(), monitor -> follow(f, name, how, monitor));
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
                                .collect(Collectors.joining(" "))));
                int done = Math.min(100, 100 * Math.max(0, s.completedRounds() - first) / planned);
                monitor.worked(done - reported);
                reported = Math.max(reported, done);
            }
        }
    }

    /** The rows shown, as the engine reported them at the last refresh. */
    public List<Row> rows() {
        List<Row> list = new ArrayList<>();
        for (ExperimentStatus s : shown) {
            list.add(new Row(s.name(), s.state().name().toLowerCase(Locale.ROOT), s.completedRounds(),
                    s.plannedRounds(), s.protocol().id(), s.strategyId(),
                    s.lastEvaluation().values().entrySet().stream()
                            .map(e -> e.getKey() + "=" + LineChart.format(e.getValue()))
                            .collect(Collectors.joining(" ")),
                    s.message()));
        }
        return list;
    }

    /** The generated form of the experiment spec. */
    public SettingsForm specForm() {
        return specForm;
    }

    /** The dataset loader's settings form, or null when the loader named is not present. */
    public SettingsForm datasetForm() {
        return datasetForm;
    }

    /** The strategy's settings form, or null when the strategy named is not present. */
    public SettingsForm strategyForm() {
        return strategyForm;
    }

    /** What the form says about its values: their problems, or that it is ready to create. */
    public String validationText() {
        return validation.getText();
    }

    public Text trainerOptions() {
        return trainerOptions;
    }

    public Table table() {
        return table;
    }

    /** The ids offered for a service setting (strategy, dataset, trainer, ...). */
    public List<String> suggestions(String key) {
        return List.of(((org.eclipse.swt.widgets.Combo) specForm.input(key)).getItems());
    }

    @Focus
    public void focus() {
        refresh();
        table.setFocus();
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
