package org.fedfms.ui.internal.forms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.eclipse.jface.fieldassist.ControlDecoration;
import org.eclipse.jface.fieldassist.FieldDecorationRegistry;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;
import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;

/**
 * A form generated from a {@link SettingsSchema}: one row per setting with its label, an input control
 * chosen by type (check box for booleans, read-only combo for choices and enums, spinner for whole
 * numbers with a finite int range, text otherwise), its range or type, and its description as tooltip.
 *
 * <p>Every edit is checked by binding the values through the schema itself, so the form accepts exactly
 * what the shell and JSON specs accept; a rejected field gets an error marker naming the problem.
 */
public final class SettingsForm {

    private final SettingsSchema<?> schema;
    private final Set<String> omitted;
    private final Set<String> suggested;
    private final Composite composite;
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final List<Consumer<List<String>>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, String> fieldProblems = new LinkedHashMap<>();
    private List<String> problems = List.of();

    /** One generated input. */
    private record Field(SettingDescriptor descriptor, Control control, ControlDecoration marker) {
    }

    /**
     * Builds the form in a new composite under {@code parent}, showing the schema's defaults.
     *
     * @param parent where the form goes; lay out {@link #control()} as fits the parent
     * @param schema the settings to edit
     */
    public SettingsForm(Composite parent, SettingsSchema<?> schema) {
        this(parent, schema, Set.of(), Set.of());
    }

    /**
     * Builds the form for some of the schema's settings.
     *
     * @param parent where the form goes
     * @param schema the settings to edit
     * @param omitted keys left out of the form (they bind to their defaults; a face edits them otherwise)
     * @param suggested text settings shown as editable combos whose list {@link #suggest} fills, e.g. with
     *        the ids of the services present now
     */
    public SettingsForm(Composite parent, SettingsSchema<?> schema, Set<String> omitted, Set<String> suggested) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.omitted = Set.copyOf(omitted);
        this.suggested = Set.copyOf(suggested);
        this.composite = new Composite(parent, SWT.NONE);
        composite.setData(SettingsForm.class.getName(), this);
        GridLayout layout = new GridLayout(3, false);
        layout.horizontalSpacing = 10;
        composite.setLayout(layout);
        if (schema.descriptors().isEmpty()) {
            Label none = new Label(composite, SWT.NONE);
            none.setText("No settings.");
            none.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        }
        for (SettingDescriptor d : schema.descriptors()) {
            if (!this.omitted.contains(d.key())) {
                fields.put(d.key(), createRow(d));
            }
        }
        revalidate();
    }

    /** The form whose {@link #control()} this is, or null: how a face's widget tree leads to its form. */
    public static SettingsForm of(Control control) {
        return control.getData(SettingsForm.class.getName()) instanceof SettingsForm form ? form : null;
    }

    private Field createRow(SettingDescriptor d) {
        String tip = d.description() + (d.constraintText().isEmpty() ? "" : " " + d.constraintText());
        Label label = new Label(composite, SWT.NONE);
        label.setText(d.label());
        label.setToolTipText(tip);
        label.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false));

        Control control = createInput(d);
        control.setToolTipText(tip);
        control.setData(SettingsForm.class.getName(), d.key());
        GridData data = new GridData(SWT.FILL, SWT.CENTER, false, false);
        data.horizontalIndent = 8; // room for the error marker
        data.widthHint = 140;
        control.setLayoutData(data);

        Label constraint = new Label(composite, SWT.NONE);
        constraint.setText(d.constraintText().isEmpty() ? d.typeName() : d.typeName() + " " + d.constraintText());
        constraint.setToolTipText(tip);
        constraint.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        ControlDecoration marker = new ControlDecoration(control, SWT.LEFT | SWT.CENTER, composite);
        marker.setImage(FieldDecorationRegistry.getDefault()
                .getFieldDecoration(FieldDecorationRegistry.DEC_ERROR).getImage());
        marker.hide();
        Field field = new Field(d, control, marker);
        setText(field, d.defaultValue());
        return field;
    }

    private Control createInput(SettingDescriptor d) {
        if (d.type() == Boolean.class) {
            Button check = new Button(composite, SWT.CHECK);
            check.addListener(SWT.Selection, e -> revalidate());
            return check;
        }
        if (suggested.contains(d.key()) && d.choices().isEmpty()) {
            Combo combo = new Combo(composite, SWT.DROP_DOWN);
            combo.addListener(SWT.Modify, e -> revalidate());
            return combo;
        }
        if (!d.choices().isEmpty()) {
            Combo combo = new Combo(composite, SWT.DROP_DOWN | SWT.READ_ONLY);
            combo.setItems(d.choices().toArray(String[]::new));
            combo.addListener(SWT.Selection, e -> revalidate());
            return combo;
        }
        if (spinnable(d)) {
            Spinner spinner = new Spinner(composite, SWT.BORDER);
            spinner.setValues((int) Math.max(d.min(), 0), (int) d.min(), (int) d.max(), 0, 1, 10);
            spinner.addListener(SWT.Modify, e -> revalidate());
            return spinner;
        }
        Text text = new Text(composite, SWT.BORDER);
        text.addListener(SWT.Modify, e -> revalidate());
        return text;
    }

    private static boolean spinnable(SettingDescriptor d) {
        return (d.type() == Integer.class || d.type() == Long.class)
                && d.min() >= Integer.MIN_VALUE && d.max() <= Integer.MAX_VALUE;
    }

    /**
     * Offers {@code values} in the drop-down of a suggested setting, keeping the text shown (or showing
     * the first value when the text is empty).
     */
    public void suggest(String key, List<String> values) {
        if (!(input(key) instanceof Combo combo) || (combo.getStyle() & SWT.READ_ONLY) != 0) {
            throw new IllegalArgumentException("setting '" + key + "' of " + schema.subject() + " takes no suggestions");
        }
        String text = combo.getText();
        combo.setItems(values.toArray(String[]::new));
        combo.setText(text.isEmpty() && !values.isEmpty() ? values.get(0) : text);
    }

    /** Calls {@code listener} with the new text each time the user changes the setting {@code key}. */
    public void addChangeListener(String key, Consumer<String> listener) {
        Control c = input(key);
        c.addListener(c instanceof Button || (c instanceof Combo combo && (combo.getStyle() & SWT.READ_ONLY) != 0)
                ? SWT.Selection : SWT.Modify, e -> listener.accept(text(c)));
    }

    /** The form's top control. */
    public Composite control() {
        return composite;
    }

    /** The schema the form edits. */
    public SettingsSchema<?> schema() {
        return schema;
    }

    /** The input control of a setting. */
    public Control input(String key) {
        Field f = fields.get(key);
        if (f == null) {
            throw new IllegalArgumentException("no setting '" + key + "' in " + schema.subject()
                    + " (known: " + String.join(", ", fields.keySet()) + ")");
        }
        return f.control();
    }

    /** The values as the controls show them, as text, by key in declaration order. */
    public Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        fields.forEach((k, f) -> values.put(k, text(f.control())));
        return values;
    }

    /** Shows {@code values} (text or typed, by key); keys not given keep their current value. */
    public void setValues(Map<String, ?> values) {
        values.forEach((k, v) -> {
            Field f = fields.get(k);
            if (f == null) {
                throw new IllegalArgumentException("no setting '" + k + "' in " + schema.subject());
            }
            setText(f, v);
        });
        revalidate();
    }

    /** Shows the schema's defaults again. */
    public void restoreDefaults() {
        fields.values().forEach(f -> setText(f, f.descriptor().defaultValue()));
        revalidate();
    }

    /** The problems of the values shown, each naming its setting; empty when they bind. */
    public List<String> problems() {
        return problems;
    }

    /** The problem of one setting, or null when its value is accepted. */
    public String problem(String key) {
        return fieldProblems.get(key);
    }

    /**
     * The values bound into the settings record.
     *
     * @throws SettingsException listing every problem when a value is rejected
     */
    public Record bind() {
        return schema.bind(values());
    }

    /**
     * The values bound through the schema and turned back into typed values (enums as lower-case names),
     * every setting of the schema included.
     *
     * @throws SettingsException listing every problem when a value is rejected
     */
    public Map<String, Object> typedValues() {
        return typed(schema, values());
    }

    private static <R extends Record> Map<String, Object> typed(SettingsSchema<R> schema, Map<String, String> values) {
        return schema.toMap(schema.bind(values));
    }

    /** Calls {@code listener} with the current problems after each edit (empty when valid). */
    public void addValidationListener(Consumer<List<String>> listener) {
        listeners.add(listener);
    }

    /** Enables or disables every input. */
    public void setEnabled(boolean enabled) {
        fields.values().forEach(f -> f.control().setEnabled(enabled));
    }

    private void revalidate() {
        if (composite.isDisposed()) {
            return;
        }
        List<String> all = new ArrayList<>();
        fieldProblems.clear();
        Map<String, String> values = values();
        for (Field f : fields.values()) {
            String key = f.descriptor().key();
            try {
                schema.bind(Map.of(key, values.get(key)));
                f.marker().hide();
            } catch (SettingsException e) {
                String problem = String.join("; ", e.problems());
                fieldProblems.put(key, problem);
                f.marker().setDescriptionText(problem);
                f.marker().show();
                all.addAll(e.problems());
            }
        }
        if (all.isEmpty()) {
            try {
                schema.bind(values);
            } catch (SettingsException e) {
                all.addAll(e.problems()); // rules across settings, checked by the record itself
            }
        }
        problems = List.copyOf(all);
        listeners.forEach(l -> l.accept(problems));
    }

    private static String text(Control c) {
        if (c instanceof Button b) {
            return Boolean.toString(b.getSelection());
        }
        if (c instanceof Combo combo) {
            return combo.getText();
        }
        if (c instanceof Spinner s) {
            return Integer.toString(s.getSelection());
        }
        return ((Text) c).getText().trim();
    }

    private static void setText(Field f, Object value) {
        Control c = f.control();
        String s = value == null ? "" : value.toString();
        if (c instanceof Button b) {
            b.setSelection(Boolean.parseBoolean(s));
        } else if (c instanceof Combo combo && (combo.getStyle() & SWT.READ_ONLY) == 0) {
            combo.setText(s);
        } else if (c instanceof Combo combo) {
            int i = combo.indexOf(s);
            if (i >= 0) {
                combo.select(i);
            } else {
                combo.deselectAll();
            }
        } else if (c instanceof Spinner sp) {
            sp.setSelection(value instanceof Number n ? n.intValue() : Integer.parseInt(s.trim()));
        } else {
            ((Text) c).setText(s);
        }
    }
}
