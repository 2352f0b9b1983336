package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.parts.StrategiesPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/** The Strategies part built in a Shell: it shows the strategy services present now and follows their bundles. */
class StrategiesPartTest {

    private static final String FEDAVG_BUNDLE = "org.fedfms.strategy.fedavg";

    private Shell shell;

    @BeforeEach
    void open() throws Exception {
        Ui.bundle(FEDAVG_BUNDLE).start();
        shell = Ui.shell();
        Ui.make(StrategiesPart.class, shell);
        shell.open();
        Ui.waitUntil("the table lists fedavg", () -> tableIds().contains("fedavg"), this::tableIds);
    }

    @AfterEach
    void close() throws Exception {
        shell.dispose();
        Ui.bundle(FEDAVG_BUNDLE).start();
    }

    private Table table() {
        return Ui.named(shell, Table.class, "strategies");
    }

    private List<String> tableIds() {
        return Ui.firstColumn(table());
    }

    /** Clicks the strategy's row, which shows its settings form; false if no row has it. */
    private boolean select(String id) {
        return Ui.selectRow(table(), id);
    }

    /** The settings form of the selected strategy, or null when none is shown. */
    private SettingsForm settingsForm() {
        return Ui.form(shell);
    }

    private TableItem row(String id) {
        for (TableItem item : table().getItems()) {
            if (item.getText(0).equals(id)) {
                return item;
            }
        }
        throw new AssertionError("no row " + id + " in " + tableIds());
    }

    @Test
    void listsFedavgWithDescriptionSettingsAndBundle() {
        TableItem fedavg = row("fedavg");
        assertTrue(fedavg.getText(1).startsWith("Federated Averaging"), fedavg.getText(1));
        assertEquals("weighted=true, acceptFailures=true, roundWeights=false", fedavg.getText(2));
        assertTrue(fedavg.getText(3).startsWith(FEDAVG_BUNDLE + " 0.1.0"), fedavg.getText(3));
    }

    @Test
    void stoppingTheBundleRemovesTheRowAndStartingBringsItBack() throws Exception {
        assertTrue(select("fedavg"));
        assertNotNull(settingsForm());
        Bundle bundle = Ui.bundle(FEDAVG_BUNDLE);

        bundle.stop();
        Ui.waitUntil("the fedavg row is gone", () -> !tableIds().contains("fedavg"), this::tableIds);
        assertNull(settingsForm(), "the settings form of a strategy that left must go with it");
        assertFalse(select("fedavg"));

        bundle.start();
        Ui.waitUntil("the fedavg row is back", () -> tableIds().contains("fedavg"), this::tableIds);
        assertEquals("weighted=true, acceptFailures=true, roundWeights=false", row("fedavg").getText(2));
        assertTrue(select("fedavg"));
        assertNotNull(settingsForm());
    }

    @Test
    void settingsFormHasACheckBoxPerFedavgSettingWithDefaultsAndDescriptions() {
        assertTrue(select("fedavg"));
        SettingsForm form = settingsForm();
        assertEquals(Map.of("weighted", "true", "acceptFailures", "true", "roundWeights", "false"), form.values());
        Button weighted = assertInstanceOf(Button.class, form.input("weighted"));
        assertTrue((weighted.getStyle() & SWT.CHECK) != 0, "a boolean setting is a check box");
        assertTrue(weighted.getSelection());
        assertTrue(weighted.getToolTipText().contains("training sample count"), weighted.getToolTipText());
        assertInstanceOf(Button.class, form.input("acceptFailures"));

        weighted.setSelection(false);
        weighted.notifyListeners(SWT.Selection, null);
        assertEquals(List.of(), form.problems());
        Record bound = form.bind();
        assertEquals("AveragingSettings[weighted=false, acceptFailures=true, roundWeights=false]", bound.toString());
    }

    @Test
    void selectionSurvivesOtherServiceChanges() throws Exception {
        assertTrue(select("fedavg"));
        SettingsForm form = settingsForm();
        Button weighted = (Button) form.input("weighted");
        weighted.setSelection(false);
        weighted.notifyListeners(SWT.Selection, null);

        // A strategy registered and withdrawn by this test: the fedavg form keeps what the user set.
        var registration = Ui.context().registerService(org.fedfms.api.strategy.AggregationStrategy.class,
                new QuorumMeanStrategy(), new java.util.Hashtable<>(Map.of("id", QuorumMeanStrategy.ID)));
        try {
            Ui.waitUntil("the new strategy shows", () -> tableIds().contains(QuorumMeanStrategy.ID), this::tableIds);
            // the fedavg bundle's three strategies and the new one
            assertEquals(List.of(QuorumMeanStrategy.ID, "fedavg", "fednova", "qfedavg").stream().sorted().toList(),
                    tableIds());
            assertEquals(form, settingsForm());
            assertEquals("false", form.values().get("weighted"));
        } finally {
            registration.unregister();
        }
        Ui.waitUntil("the new strategy is gone", () -> !tableIds().contains(QuorumMeanStrategy.ID), this::tableIds);
        assertEquals(form, settingsForm());
    }
}
