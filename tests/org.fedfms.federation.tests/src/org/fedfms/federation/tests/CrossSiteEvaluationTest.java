package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.junit.jupiter.api.Test;

/** Cross-site evaluation: the global model and every site's fitted model on every site's evaluated split. */
class CrossSiteEvaluationTest extends OnTestEnv {

    private static final List<String> SITES = List.of("site-0", "site-1", "site-2", "site-3");


    @Test
    void theMatrixHoldsEachModelEvaluatedDirectlyOnEachSite() throws Exception {
        FederationService f = env.fresh("cross");
        ExperimentSpec spec = TestEnv.spec("cross").rounds(3).localParameters("linear.bias").build();
        f.create(spec);
        List<RoundResult> history = f.runRounds("cross", 3);
        ExperimentInspector in = f.inspect("cross");
        CrossSiteEvaluation m = in.crossEvaluate(TrainingMonitor.NONE);

        assertEquals("cross", m.experiment());
        assertEquals(3, m.round());
        assertEquals("mse", m.metric(), "the linear-regression trainer reports no Dice");
        assertEquals(SITES, m.sites());
        assertEquals(List.of(CrossSiteEvaluation.GLOBAL, "site-0", "site-1", "site-2", "site-3"),
                m.rows().stream().map(CrossSiteEvaluation.Row::model).toList());
        LinRegTrainerFactory direct = new LinRegTrainerFactory(LinRegTrainerFactory.ID);
        for (CrossSiteEvaluation.Row row : m.rows()) {
            ParameterSet model = row.model().equals(CrossSiteEvaluation.GLOBAL) ? f.globalParameters("cross")
                    : in.fittedParameters(row.model());
            assertEquals(3, row.fittedRound(), row.model());
            double sum = 0;
            for (int c = 0; c < SITES.size(); c++) {
                SiteData site = in.sites(List.of(SITES.get(c))).get(0);
                try (SiteTrainer t = direct.create(spec.trainerSpec(), site)) {
                    double expected = t.evaluate(3, model, DataSplit.VALIDATION, TrainingMonitor.NONE).metrics()
                            .get("mse").getAsDouble();
                    assertEquals(expected, row.values().get(c), row.model() + " on " + SITES.get(c));
                    assertEquals(expected, m.value(row.model(), SITES.get(c)));
                    sum += expected;
                }
            }
            assertEquals(sum / SITES.size(), row.mean(), 1e-12, row.model());
        }
        // a site's own data under the model it fitted (before aggregation) differs from the global model's score
        assertNotEquals(m.value("global", "site-1"), m.value("site-1", "site-1"));
        // the global row with each site's own bias is what the round evaluated on that site
        for (SiteRoundResult s : history.get(2).sites()) {
            double own;
            try (SiteTrainer t = direct.create(spec.trainerSpec(), in.sites(List.of(s.siteId())).get(0))) {
                own = t.evaluate(3, in.parameters(s.siteId()), DataSplit.VALIDATION, TrainingMonitor.NONE)
                        .metrics().get("mse").getAsDouble();
            }
            assertEquals(own, s.evaluationMetrics().get("mse").getAsDouble(), s.siteId());
        }
    }

    @Test
    void aSiteThatNeverTrainedHasNoRowAndTheInitialModelHasOnlyTheGlobalOne() throws Exception {
        FederationService f = env.fresh("cross-new");
        f.create(TestEnv.spec("cross-new").rounds(2).build());
        ExperimentInspector in = f.inspect("cross-new");
        assertNull(in.fittedParameters("site-0"));
        CrossSiteEvaluation m = in.crossEvaluate(TrainingMonitor.NONE);
        assertEquals(0, m.round());
        assertEquals(List.of(CrossSiteEvaluation.GLOBAL), m.rows().stream().map(CrossSiteEvaluation.Row::model).toList());
        assertTrue(m.rows().get(0).values().stream().allMatch(v -> v > 0));
    }
}
