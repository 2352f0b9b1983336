package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The form generated from a settings schema: a control per type, defaults, tooltips, range checks. */
class SettingsFormTest {

    private Shell shell;
    private SettingsForm form;

    @BeforeEach
    void open() {
        shell = Ui.shell();
        form = new SettingsForm(shell, QuorumMeanStrategy.SCHEMA);
        shell.layout(true, true);
        shell.open();
    }

    @AfterEach
    void close() {
        shell.dispose();
    }

    @Test
    void controlsFollowTheTypesAndShowTheDefaults() {
        Text exponent = assertInstanceOf(Text.class, form.input("weightExponent"));
        assertEquals("1.0", exponent.getText());
        Spinner quorum = assertInstanceOf(Spinner.class, form.input("quorum"));
        assertEquals(2, quorum.getSelection());
        assertEquals(1, quorum.getMinimum());
        assertEquals(64, quorum.getMaximum());
        Combo below = assertInstanceOf(Combo.class, form.input("belowQuorum"));
        assertArrayEquals(new String[] {"keep", "fail"}, below.getItems());
        assertEquals("keep", below.getText());
        assertTrue(exponent.getToolTipText().startsWith("weight = sampleCount^weightExponent"), exponent.getToolTipText());
        assertTrue(exponent.getToolTipText().endsWith("[0.0, 1.0]"), exponent.getToolTipText());
        assertEquals(Map.of("weightExponent", "1.0", "quorum", "2", "belowQuorum", "keep"), form.values());
        assertEquals(List.of(), form.problems());
    }

    @Test
    void rejectsAnOutOfRangeValueAndNamesIt() {
        List<List<String>> reported = new ArrayList<>();
        form.addValidationListener(reported::add);
        Text exponent = (Text) form.input("weightExponent");

        exponent.setText("1.5");

        assertEquals("'weightExponent' = 1.5 is outside [0.0, 1.0]", form.problem("weightExponent"));
        assertEquals(List.of("'weightExponent' = 1.5 is outside [0.0, 1.0]"), form.problems());
        assertEquals(form.problems(), reported.get(reported.size() - 1));
        assertNull(form.problem("quorum"));
        SettingsException e = assertThrows(SettingsException.class, form::bind);
        assertEquals(List.of("'weightExponent' = 1.5 is outside [0.0, 1.0]"), e.problems());

        exponent.setText("0.5");
        assertEquals(List.of(), form.problems());
        assertNull(form.problem("weightExponent"));
        assertEquals(new QuorumMeanStrategy.Settings(0.5, 2, "keep"), form.bind());
    }

    @Test
    void rejectsTextThatIsNotANumber() {
        ((Text) form.input("weightExponent")).setText("half");
        assertEquals("'weightExponent': 'half' is not a double", form.problem("weightExponent"));
        assertThrows(SettingsException.class, form::bind);
    }

    @Test
    void aSpinnerKeepsWholeNumbersInsideTheirRange() {
        Spinner quorum = (Spinner) form.input("quorum");
        quorum.setSelection(100);
        assertEquals("64", form.values().get("quorum"));
        quorum.setSelection(0);
        assertEquals("1", form.values().get("quorum"));
        assertEquals(List.of(), form.problems());
    }

    @Test
    void setValuesAndRestoreDefaults() {
        form.setValues(Map.of("weightExponent", 0.0, "quorum", 5, "belowQuorum", "fail"));
        assertEquals(new QuorumMeanStrategy.Settings(0.0, 5, "fail"), form.bind());
        form.restoreDefaults();
        assertEquals(QuorumMeanStrategy.SCHEMA.defaults(), form.bind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> form.setValues(Map.of("mu", 0.1)));
        assertTrue(e.getMessage().contains("no setting 'mu'"), e.getMessage());
    }

    @Test
    void aSchemaWithoutSettingsSaysSo() {
        SettingsForm none = new SettingsForm(shell, SettingsSchema.none("strategy plain"));
        assertEquals(Map.of(), none.values());
        assertEquals(List.of(), none.problems());
    }
}
