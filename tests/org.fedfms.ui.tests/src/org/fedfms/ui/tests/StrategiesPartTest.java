package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Shell;
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
    private StrategiesPart part;

    @BeforeEach
    void open() throws Exception {
        Ui.bundle(FEDAVG_BUNDLE).start();
        shell = Ui.shell();
        part = Ui.make(StrategiesPart.class, shell);
        shell.open();
        Ui.waitUntil("the table lists fedavg", () -> tableIds().contains("fedavg"), this::tableIds);
    }

    @AfterEach
    void close() throws Exception {
        shell.dispose();
        Ui.bundle(FEDAVG_BUNDLE).start();
    }

    private List<String> tableIds() {
        List<String> ids = new ArrayList<>();
        for (TableItem item : part.table().getItems()) {
            ids.add(item.getText(0));
        }
        return ids;
    }

    private TableItem row(String id) {
        for (TableItem item : part.table().getItems()) {
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
        assertEquals(tableIds(), part.rows().stream().map(StrategiesPart.Row::id).toList());
    }

    @Test
    void stoppingTheBundleRemovesTheRowAndStartingBringsItBack() throws Exception {
        assertTrue(part.select("fedavg"));
        assertNotNull(part.settingsForm());
        Bundle bundle = Ui.bundle(FEDAVG_BUNDLE);

        bundle.stop();
        Ui.waitUntil("the fedavg row is gone", () -> !tableIds().contains("fedavg"), this::tableIds);
        assertNull(part.settingsForm(), "the settings form of a strategy that left must go with it");
        assertFalse(part.select("fedavg"));

        bundle.start();
        Ui.waitUntil("the fedavg row is back", () -> tableIds().contains("fedavg"), this::tableIds);
        assertEquals("weighted=true, acceptFailures=true, roundWeights=false", row("fedavg").getText(2));
        assertTrue(part.select("fedavg"));
        assertNotNull(part.settingsForm());
    }

    @Test
    void settingsFormHasACheckBoxPerFedavgSettingWithDefaultsAndDescriptions() {
        assertTrue(part.select("fedavg"));
        SettingsForm form = part.settingsForm();
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
        assertTrue(part.select("fedavg"));
        SettingsForm form = part.settingsForm();
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
            assertEquals(form, part.settingsForm());
            assertEquals("false", form.values().get("weighted"));
        } finally {
            registration.unregister();
        }
        Ui.waitUntil("the new strategy is gone", () -> !tableIds().contains(QuorumMeanStrategy.ID), this::tableIds);
        assertEquals(form, part.settingsForm());
    }
}
