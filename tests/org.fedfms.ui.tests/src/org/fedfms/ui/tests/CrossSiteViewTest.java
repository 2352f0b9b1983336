package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;

import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.parts.RoundsPart;
import org.junit.jupiter.api.Test;

/** The cross-site matrix under the Rounds part: computed on request in the background, a row per model. */
class CrossSiteViewTest extends OnFederationShell {

    private static final String NAME = "ui-cross";

    @Test
    void theMatrixOfTheExperimentShownIsComputedOnRequest() throws Exception {
        FederationService f = federation();
        f.create(spec(fresh(f, NAME)).rounds(2).localParameters("linear.bias").build());
        f.runRounds(NAME, 2);

        RoundsPart rounds = Ui.make(RoundsPart.class, shell);
        shell.layout(true, true);
        shell.open();
        rounds.show(NAME);
        Table table = Ui.named(shell, Table.class, "cross-site");
        assertEquals(0, table.getItemCount());
        Ui.select(Ui.named(shell, Button.class, "cross-evaluate"), true);
        Ui.waitUntil("the matrix is shown", () -> table.getItemCount() == 5);

        CrossSiteEvaluation expected = f.inspect(NAME).crossEvaluate(TrainingMonitor.NONE);
        assertEquals(List.of("Model", "Fitted in round", "site-0", "site-1", "site-2", "site-3", "Mean"),
                java.util.Arrays.stream(table.getColumns()).map(c -> c.getText()).toList());
        for (int r = 0; r < 5; r++) {
            TableItem item = table.getItem(r);
            CrossSiteEvaluation.Row row = expected.rows().get(r);
            assertEquals(row.model(), item.getText(0));
            assertEquals(String.format(Locale.ROOT, "%.4f", row.values().get(1)), item.getText(3), row.model());
            assertEquals(String.format(Locale.ROOT, "%.4f", row.mean()), item.getText(6), row.model());
        }
        FederationPartsTest.screenshot(shell, "cross-site.png");
    }
}
