package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.parts.RoundsPart;
import org.junit.jupiter.api.Test;

/** The Rounds part shows ε at δ of an experiment with client-side DP, as each round completes and when opened. */
class ClientDpRoundsPartTest extends OnFederationShell {

    private static final String NAME = "ui-client-dp";

    @Test
    void theStatusLineShowsEpsilonAtDelta() throws Exception {
        FederationService f = federation();
        f.create(spec(fresh(f, NAME)).rounds(2).clientDp("clip=1,noise=2,delta=1e-6").build());
        RoundsPart rounds = Ui.make(RoundsPart.class, new Composite(shell, SWT.NONE));
        shell.open();
        rounds.show(NAME);
        RoundResult first = f.runRound(NAME);
        String expected = String.format(Locale.ROOT, "client DP ε = %.3f at δ = 1.0e-06",
                first.evaluationMetrics().get("dp_epsilon").getAsDouble());
        Label status = Ui.named(shell, Label.class, "rounds.status");
        Ui.waitUntil("round 1 shows epsilon", () -> status.getText().equals("round 1 completed, " + expected),
                status::getText);
        rounds.show(NAME);
        assertTrue(status.getText().equals("1 rounds completed, " + expected), status.getText());
    }
}
