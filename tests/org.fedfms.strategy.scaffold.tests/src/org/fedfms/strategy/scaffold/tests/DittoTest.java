package org.fedfms.strategy.scaffold.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.strategy.SiteStateStore;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ditto: each site's personal model, trained towards the global one, kept at the site and scored beside it. */
class DittoTest {

    @TempDir
    Path dir;

    private static ParameterSet w(double v) {
        return ParameterSet.builder().add("w", new int[] {1}, new float[] {(float) v}).build();
    }

    private static float value(ParameterSet p, String name) {
        return p.get(name).values()[0];
    }

    /** A trainer that records its start, anchor and mu, and moves the start by +1. */
    private static PersonalModelSite.Training trainer(List<float[]> seen) {
        return (start, fi) -> {
            seen.add(new float[] {value(start, "w"), value(start, "ditto.anchor/w"),
                (float) fi.getDouble(FitInstructions.PROXIMAL_MU, -1)});
            return new FitResult("s1", w(value(start, "w") + 1), 4, Metrics.empty());
        };
    }

    @Test
    void thePersonalModelStartsFromTheLastOneWithTheGlobalAsAnchorAndIsKeptPerRound() throws Exception {
        PersonalModelSite p = PersonalModelSite.of("s1", Map.of("dittoLambda", "0.1"), dir);
        List<float[]> seen = new ArrayList<>();
        p.train(1, w(10), trainer(seen));          // v = x = 10 -> 11
        p.train(2, w(20), trainer(seen));          // v = 11, anchor 20 -> 12
        p.train(2, w(20), trainer(seen));          // repeated round 2 (resume): again from 11
        assertEquals(List.of(10f, 10f, 0.1f), List.of(seen.get(0)[0], seen.get(0)[1], seen.get(0)[2]));
        assertEquals(List.of(11f, 20f, 0.1f), List.of(seen.get(1)[0], seen.get(1)[1], seen.get(1)[2]));
        assertEquals(11f, seen.get(2)[0], "a repeated round starts from the personal model of the round before");
        assertEquals(12f, value(new SiteStateStore(dir, PersonalModelSite.KIND).before(3).orElseThrow().tensors(),
                "w"));

        EvaluateResult global = new EvaluateResult("s1", 5, Metrics.of("dice", 0.5, "loss", 0.3));
        EvaluateResult both = p.evaluate(2, global, v -> {
            assertEquals(12f, value(v, "w"), "round 2's personal model is scored");
            return new EvaluateResult("s1", 5, Metrics.of("dice", 0.75, "loss", 0.2));
        });
        assertEquals(Map.of("dice", 0.5, "loss", 0.3, "personal_dice", 0.75, "personal_loss", 0.2),
                both.metrics().values());
    }

    @Test
    void withoutLambdaThereIsNoDittoAndABadLambdaIsNamed() throws Exception {
        assertNull(PersonalModelSite.of("s1", Map.of(), dir));
        assertNull(PersonalModelSite.of("s1", Map.of("dittoLambda", 0), dir));
        String m = assertThrows(IllegalArgumentException.class,
                () -> PersonalModelSite.of("s1", Map.of("dittoLambda", "-1"), dir)).getMessage();
        assertTrue(m.contains("dittoLambda") && m.contains("-1"), m);
        PersonalModelSite p = PersonalModelSite.of("s1", Map.of("dittoLambda", 1.0), dir);
        EvaluateResult global = new EvaluateResult("s1", 5, Metrics.of("dice", 0.5));
        assertSame(global, p.evaluate(1, global, v -> {
            throw new AssertionError("no personal model yet");
        }));
    }

    @Test
    void eachSiteReportsItsPersonalDiceBesideTheGlobalOnesAndKeepsItsModel() throws Exception {
        FederationService f = SyntheticRuns.federation();
        ExperimentSpec spec = SyntheticRuns.spec("ditto-synthetic", "fedavg", 2,
                SyntheticRuns.map("localSteps", 3, "dittoLambda", 0.1)).build();
        List<RoundResult> rounds = SyntheticRuns.run(f, spec);
        for (RoundResult r : rounds) {
            assertEquals(4, r.okSites(), r.toString());
            assertTrue(r.evaluationMetrics().get("dice").isPresent() && r.evaluationMetrics().get("personal_dice")
                    .isPresent(), r.evaluationMetrics().toString());
            for (SiteRoundResult s : r.sites()) {
                assertTrue(s.evaluationMetrics().get("personal_dice").isPresent(), s.toString());
            }
        }
        StringBuilder line = new StringBuilder();
        for (SiteRoundResult s : rounds.get(1).sites()) {
            Path site = f.experimentsDirectory().resolve(spec.name()).resolve("site-state").resolve(s.siteId());
            assertTrue(Files.isRegularFile(site.resolve("personal-000002.bin")), site + " keeps its personal model");
            ParameterSet v = new SiteStateStore(site, PersonalModelSite.KIND).before(3).orElseThrow().tensors();
            assertTrue(v.layoutDifferences(f.globalParameters(spec.name())).isEmpty());
            line.append(String.format(" %s %.3f/%.3f", s.siteId(), s.evaluationMetrics().get("dice").orElseThrow(),
                    s.evaluationMetrics().get("personal_dice").orElseThrow()));
        }
        System.out.println("Ditto (lambda 0.1), round 2 validation Dice global/personal:" + line);
        SyntheticRuns.fresh(f, spec.name());
    }
}
