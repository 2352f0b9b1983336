package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.fedfms.strategy.zoo.tests.Strategies.plus;
import static org.fedfms.strategy.zoo.tests.Strategies.wb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FedAdam, FedYogi and FedAdagrad over two rounds. Expected values from NumPy (float64) with Flower's
 * formulas, eta 0.1, beta1 0.9 (0 for Adagrad), beta2 0.99, tau 1e-3 (id {@code fedadam-uncorrected}: FedAdam
 * with {@code biasCorrection=false}):
 * <pre>
 * g = [0.5, -1, 2, 0]; m = v = 0
 * for r in 0, 1:
 *     a, na, b, nb = ([1, -1, 2.5, 0.2], 1, [0, -0.5, 2, -0.2], 3) if r == 0 else
 *                    (g + [0.1, 0.2, -0.3, 0.05], 2, g + [-0.3, 0.1, 0.1, 0.05], 2)
 *     d = (na*a + nb*b) / (na + nb) - g
 *     m = b1*m + (1-b1)*d
 *     v = b2*v + (1-b2)*d*d                 # adam
 *     v = v - (1-b2)*d*d*sign(v - d*d)      # yogi
 *     v = v + d*d                           # adagrad
 *     e = eta*sqrt(1 - b2**(r+2)) / (1 - b1**(r+2))   # adam: Flower's bias correction (t = round + 1)
 *     e = eta                                         # the others, and adam without it
 *     g = g + e*m / (sqrt(v) + tau)
 * </pre>
 */
class ServerOptimizerTest {

    private static final Map<String, float[][]> EXPECTED = Map.of(
            "fedadam", new float[][] {{0.4286096f, -0.9276825f, 2.068746f, -0.06749634f},
                {0.3542895f, -0.8524608f, 2.073434f, -0.08845761f}},
            "fedadam-uncorrected", new float[][] {{0.4038462f, -0.9025974f, 2.092593f, -0.09090909f},
                {0.2869797f, -0.7843131f, 2.099963f, -0.1238702f}},
            "fedyogi", new float[][] {{0.4038462f, -0.9025974f, 2.092593f, -0.09090909f},
                {0.2874664f, -0.7848117f, 2.099942f, -0.1237489f}},
            "fedadagrad", new float[][] {{0.4003984f, -0.900266f, 2.099206f, -0.0990099f},
                {0.3633968f, -0.8632186f, 2.037125f, -0.054685f}});

    private static StrategySession open(String id) {
        if (id.equals("fedadam-uncorrected")) {
            return Strategies.open("fedadam", Map.of("serverLearningRate", "0.1", "tau", "1e-3",
                    "biasCorrection", "false"));
        }
        return Strategies.open(id, id.equals("fedadagrad")
                ? Map.of("serverLearningRate", 0.1, "tau", 1e-3)
                : Map.of("serverLearningRate", "0.1", "beta1", "0.9", "beta2", "0.99", "tau", "1e-3"));
    }

    private static ParameterSet round1(StrategySession s, ParameterSet g0) {
        return s.aggregateFit(1, g0,
                List.of(fit("a", 1, wb(1.0, -1.0, 2.5, 0.2)), fit("b", 3, wb(0.0, -0.5, 2.0, -0.2))), List.of());
    }

    private static ParameterSet round2(StrategySession s, ParameterSet g1) {
        return s.aggregateFit(2, g1, List.of(fit("a", 2, plus(g1, 0.1, 0.2, -0.3, 0.05)),
                fit("b", 2, plus(g1, -0.3, 0.1, 0.1, 0.05))), List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fedadam", "fedadam-uncorrected", "fedyogi", "fedadagrad"})
    void twoRoundsMatchTheReferenceFormulas(String id) {
        StrategySession s = open(id);
        ParameterSet g0 = wb(0.5, -1.0, 2.0, 0.0);
        ParameterSet g1 = round1(s, g0);
        assertArrayEquals(EXPECTED.get(id)[0], flat(g1), 2e-6f);
        assertArrayEquals(new float[] {0.5f, -1f, 2f, 0f}, flat(g0));
        ParameterSet g2 = round2(s, g1);
        assertArrayEquals(EXPECTED.get(id)[1], flat(g2), 2e-6f);
        assertArrayEquals(EXPECTED.get(id)[0], flat(g1), 2e-6f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fedadam", "fedyogi", "fedadagrad"})
    void restoredStateContinuesExactlyAsAnUninterruptedSession(String id) {
        ParameterSet g0 = wb(0.5, -1.0, 2.0, 0.0);
        StrategySession uninterrupted = open(id);
        ParameterSet g1 = round1(uninterrupted, g0);
        ParameterSet g2 = round2(uninterrupted, g1);

        StrategySession first = open(id);
        round1(first, g0);
        StrategyState saved = first.state();
        assertEquals("1", saved.values().get("step"));
        assertEquals(List.of("m/b", "v/b", "m/w", "v/w"), saved.tensors().names());
        round2(first, g1);
        assertEquals("2", first.state().values().get("step"));

        StrategySession resumed = open(id);
        resumed.restore(saved);
        assertArrayEquals(flat(g2), flat(round2(resumed, g1)));
        assertEquals(first.state().tensors().maxAbsDifference(resumed.state().tensors()), 0.0);
    }

    @Test
    void refusesStateOfOtherParameters() {
        StrategySession s = open("fedadam");
        ParameterSet g0 = wb(0.5, -1.0, 2.0, 0.0);
        round1(s, g0);
        ParameterSet other = ParameterSet.builder().add("w", new int[] {3}, new float[3]).build();
        String m = assertThrows(AggregationException.class, () -> s.aggregateFit(2, other,
                List.of(fit("a", 1, ParameterSet.builder().add("w", new int[] {3}, new float[3]).build())), List.of()))
                .getMessage();
        assertTrue(m.contains("round 2") && m.contains("trained parameters changed"), m);

        StrategySession fresh = open("fedadam");
        String bad = assertThrows(IllegalArgumentException.class, () -> fresh.restore(new StrategyState(
                ParameterSet.builder().add("q/w", new int[] {1}, new float[1]).build(), Map.of("step", "1"))))
                .getMessage();
        assertTrue(bad.contains("'q/w'"), bad);
    }

    @Test
    void settingsHaveDefaultsAndRanges() {
        assertEquals(Map.of("serverLearningRate", 0.01, "beta1", 0.9, "beta2", 0.99, "tau", 1e-3, "weighted", true,
                "biasCorrection", true), Strategies.open("fedadam", Map.of()).settings());
        assertEquals(Map.of("serverLearningRate", 0.01, "beta1", 0.9, "beta2", 0.99, "tau", 1e-3, "weighted", true),
                Strategies.open("fedyogi", Map.of()).settings());
        assertEquals(Map.of("serverLearningRate", 0.01, "beta1", 0.0, "tau", 1e-3, "weighted", true),
                Strategies.open("fedadagrad", Map.of()).settings());
        assertThrows(SettingsException.class, () -> Strategies.open("fedyogi", Map.of("beta2", "1")));
        assertThrows(SettingsException.class, () -> Strategies.open("fedadam", Map.of("tau", "0")));
        assertThrows(SettingsException.class, () -> Strategies.open("fedadagrad", Map.of("beta2", "0.9")));
    }
}
