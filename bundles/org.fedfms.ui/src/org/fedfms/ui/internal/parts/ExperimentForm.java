package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.settings.SettingsText;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.forms.WidgetName;

/**
 * The form that makes a new experiment: generated from {@link ExperimentSpec#SCHEMA} (model, adapter,
 * trainer, dataset and strategy offered from the services present now), the dataset loader's and the
 * strategy's own settings forms (rebuilt when another is named or its service changes, kept while the same
 * one is), trainer options, and a line saying what is wrong or that it is ready to create.
 */
final class ExperimentForm {

    private static final Set<String> MAP_SETTINGS = Set.of("datasetSettings", "strategySettings", "trainerOptions");
    private static final Set<String> SERVICE_IDS = Set.of("model", "adapter", "trainer", "dataset", "strategy");

    private final Function<String, DatasetLoader> loaders;
    private final Function<String, AggregationStrategy> strategies;
    private final ScrolledComposite scroller;
    private final Composite formArea;
    private final SettingsForm specForm;
    private final Text trainerOptions;
    private final Label validation;
    private final Button createButton;
    private final ServiceSettings datasetSettings;
    private final ServiceSettings strategySettings;

    /**
     * @param loaders the dataset loader with an id present now, or null
     * @param strategies the strategy with an id present now, or null
     * @param create what the Create button does
     */
    ExperimentForm(Composite parent, Function<String, DatasetLoader> loaders,
            Function<String, AggregationStrategy> strategies, Runnable create) {
        this.loaders = loaders;
        this.strategies = strategies;
        scroller = new ScrolledComposite(parent, SWT.V_SCROLL | SWT.H_SCROLL | SWT.BORDER);
        formArea = new Composite(scroller, SWT.NONE);
        formArea.setLayout(new GridLayout(2, false));
        scroller.setContent(formArea);
        scroller.setExpandHorizontal(true);
        scroller.setExpandVertical(true);

        Group specGroup = group("New experiment", "spec", new FillLayout(), new GridData(SWT.FILL, SWT.TOP, false,
                false, 1, 3));
        specForm = new SettingsForm(specGroup, ExperimentSpec.SCHEMA, MAP_SETTINGS, SERVICE_IDS);
        specForm.suggest("model", List.of(ExperimentSpec.DEFAULTS.model()));
        specForm.suggest("adapter", List.of(ExperimentSpec.DEFAULTS.adapter()));
        specForm.addChangeListener("dataset", id -> showDatasetForm());
        specForm.addChangeListener("strategy", id -> showStrategyForm());
        specForm.addValidationListener(p -> showValidation());
        datasetSettings = new ServiceSettings(group(null, "dataset", new FillLayout(),
                new GridData(SWT.FILL, SWT.TOP, true, false)));
        strategySettings = new ServiceSettings(group(null, "strategy", new FillLayout(),
                new GridData(SWT.FILL, SWT.TOP, true, false)));

        Group optionsGroup = group("Trainer options", "options", new GridLayout(1, false),
                new GridData(SWT.FILL, SWT.TOP, true, false));
        trainerOptions = new Text(optionsGroup, SWT.BORDER);
        WidgetName.set(trainerOptions, "trainer-options");
        trainerOptions.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        trainerOptions.setToolTipText("key=value pairs separated by spaces or commas, e.g. loss=bce promptMode=none; "
                + "numbers and true/false are typed");
        trainerOptions.addListener(SWT.Modify, e -> showValidation());
        new Label(optionsGroup, SWT.WRAP).setText("key=value pairs, space- or comma-separated (loss, optimizer, ...)");

        Composite buttons = new Composite(formArea, SWT.NONE);
        buttons.setLayout(new GridLayout(2, false));
        buttons.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        createButton = new Button(buttons, SWT.PUSH);
        WidgetName.set(createButton, "create");
        createButton.setText("Create experiment");
        createButton.addListener(SWT.Selection, e -> create.run());
        validation = new Label(buttons, SWT.WRAP);
        WidgetName.set(validation, "validation");
        validation.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        showDatasetForm();
        showStrategyForm();
    }

    private Group group(String title, String name, org.eclipse.swt.widgets.Layout layout, GridData data) {
        Group g = new Group(formArea, SWT.NONE);
        WidgetName.set(g, name);
        if (title != null) {
            g.setText(title);
        }
        g.setLayout(layout);
        g.setLayoutData(data);
        return g;
    }

    /** Offers {@code ids} for a service setting and rebuilds the settings form it drives. */
    void servicesChanged(String key, List<String> ids) {
        if (validation.isDisposed()) {
            return;
        }
        specForm.suggest(key, ids);
        if (key.equals("dataset")) {
            showDatasetForm();
        } else if (key.equals("strategy")) {
            showStrategyForm();
        }
    }

    /** The settings form of the service a spec setting names, kept while the same service is present. */
    private final class ServiceSettings {
        private final Group group;
        private SettingsForm form;
        private String id;

        ServiceSettings(Group group) {
            this.group = group;
        }

        void show(String serviceId, SettingsSchema<?> schema, String title, String absent) {
            if (serviceId.equals(id) && (schema == null ? form == null : form != null && form.schema() == schema)) {
                return; // the same service's form: keep what the user typed
            }
            id = serviceId;
            form = rebuild(group, title, schema, absent);
        }
    }

    private void showDatasetForm() {
        String id = specForm.values().get("dataset");
        DatasetLoader loader = loaders.apply(id);
        datasetSettings.show(id, loader == null ? null : loader.settings(), "Dataset " + id,
                "No dataset loader '" + id + "' is registered now.");
    }

    private void showStrategyForm() {
        String id = specForm.values().get("strategy");
        AggregationStrategy strategy = strategies.apply(id);
        strategySettings.show(id, strategy == null ? null : strategy.settings(), "Strategy " + id,
                "No aggregation strategy '" + id + "' is registered now.");
    }

    private SettingsForm rebuild(Group group, String title, SettingsSchema<?> schema, String absent) {
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
        if (datasetSettings.form == null) {
            problems.add("no dataset loader '" + specForm.values().get("dataset") + "' is registered now");
        } else {
            problems.addAll(datasetSettings.form.problems());
        }
        if (strategySettings.form == null) {
            problems.add("no aggregation strategy '" + specForm.values().get("strategy") + "' is registered now");
        } else {
            problems.addAll(strategySettings.form.problems());
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
     * The spec the form holds now, not validated (the federation does that when it creates it).
     *
     * @throws SettingsException listing every problem of the form's values
     */
    ExperimentSpec spec() {
        ExperimentSpec base = (ExperimentSpec) specForm.bind();
        if (datasetSettings.form == null || strategySettings.form == null) {
            throw new SettingsException("experiment spec '" + base.name() + "'", List.of(datasetSettings.form == null
                    ? "no dataset loader '" + base.dataset() + "' is registered now"
                    : "no aggregation strategy '" + base.strategy() + "' is registered now"));
        }
        return base.toBuilder().datasetSettings(datasetSettings.form.typedValues())
                .strategySettings(strategySettings.form.typedValues())
                .trainerOptions(parseOptions(trainerOptions.getText())).build();
    }

    /** Fills the form with {@code spec}. */
    void edit(ExperimentSpec spec) {
        Map<String, Object> values = new LinkedHashMap<>(ExperimentSpec.SCHEMA.toMap(spec));
        values.keySet().removeAll(MAP_SETTINGS);
        specForm.setValues(values);
        showDatasetForm();
        showStrategyForm();
        if (datasetSettings.form != null) {
            datasetSettings.form.setValues(spec.datasetSettings());
        }
        if (strategySettings.form != null) {
            strategySettings.form.setValues(spec.strategySettings());
        }
        trainerOptions.setText(spec.trainerOptions().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        showValidation();
    }
}
