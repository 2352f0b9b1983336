package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.fedfms.strategy.zoo.tests.Strategies.plus;
import static org.fedfms.strategy.zoo.tests.Strategies.wb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.junit.jupiter.api.Test;

/** The differential-privacy wrapper: clipping exactly, noise statistically, state for resumption. */
class DpFixedClippingTest {

    private static final String DP = "dp-fixed-clipping";

    @Test
    void clipsEachUpdateToTheNormThenAggregatesWithTheInnerStrategy() {
        StrategySession s = Strategies.open(DP, Map.of("clippingNorm", 1.0, "noiseMultiplier", 0.0));
        ParameterSet global = wb(1, 1, 1, 1);
        // update a = [3,4,0,0] (norm 5) is scaled to [0.6,0.8,0,0]; b = [0.3,0,0,0.4] (norm 0.5) is kept
        // fedavg, samples 1 and 3: 1 + (1·[0.6,0.8,0,0] + 3·[0.3,0,0,0.4]) / 4 = [1.375, 1.2, 1, 1.3]
        ParameterSet next = s.aggregateFit(1, global, List.of(fit("a", 1, plus(global, 3, 4, 0, 0)),
                fit("b", 3, plus(global, 0.3, 0, 0, 0.4))), List.of());
        assertArrayEquals(new float[] {1.375f, 1.2f, 1f, 1.3f}, flat(next), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 1, 1}, flat(global));
    }

    @Test
    void passesInnerSettingsAndInstructionsThrough() {
        StrategySession s = Strategies.open(DP, Map.of("inner", "fedprox", "inner.mu", "0.3", "noiseMultiplier", 0,
                "clippingNorm", 10, "seed", 5));
        assertEquals(0.3, s.settings().get("inner.mu"));
        assertEquals(5L, s.settings().get("seed"));
        assertEquals(0.3, s.configureFit(1, wb(0, 0, 0, 0), List.of(new SiteInfo("a", 1))).get("a")
                .getDouble(FitInstructions.PROXIMAL_MU, -1));
        // inner trimmed mean, beta 0.25 over 4 sites: per coordinate the two middle values, updates within the norm
        StrategySession t = Strategies.open(DP, Map.of("inner", "trimmedmean", "inner.beta", 0.25,
                "noiseMultiplier", 0, "clippingNorm", 100));
        ParameterSet next = t.aggregateFit(1, wb(0, 0, 0, 0), List.of(fit("a", 1, wb(1, 5, -2, 0)),
                fit("b", 1, wb(2, -1, 0, 0)), fit("c", 1, wb(9, 3, 1, 0)), fit("d", 1, wb(0, 4, 4, 0))), List.of());
        assertArrayEquals(new float[] {1.5f, 3.5f, 0.5f, 0f}, flat(next), 1e-6f);
    }

    @Test
    void failsClearlyWhenTheInnerStrategyIsAbsentOrItself() {
        String m = assertThrows(SettingsException.class, () -> Strategies.open(DP, Map.of("inner", "fedsomething")))
                .getMessage();
        assertTrue(m.contains("'fedsomething'") && m.contains("no strategy"), m);
        assertThrows(SettingsException.class, () -> Strategies.open(DP, Map.of("inner", DP)));
        assertThrows(SettingsException.class, () -> Strategies.open(DP, Map.of("clippingNorm", 0)));
        assertThrows(SettingsException.class, () -> Strategies.open(DP, Map.of("inner.nosuch", 1)));
    }

    private static ParameterSet zeros(int n) {
        return ParameterSet.builder().add("big", new int[] {n}, new float[n]).build();
    }

    /** Four sites whose models equal the global one: the result is the noise alone. */
    private static ParameterSet noiseOnly(Map<String, ?> settings, int round) {
        int n = 1_000_000;
        List<FitResult> sites = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sites.add(fit("s" + i, 10, zeros(n)));
        }
        return Strategies.open(DP, settings).aggregateFit(round, zeros(n), sites, List.of());
    }

    @Test
    void noiseHasTheExpectedStandardDeviationAndFollowsTheSeed() {
        Map<String, Object> settings = Map.of("clippingNorm", 2.0, "noiseMultiplier", 0.5, "seed", 11);
        float[] x = flat(noiseOnly(settings, 1));
        double sum = 0;
        double sq = 0;
        for (float v : x) {
            sum += v;
            sq += (double) v * v;
        }
        double mean = sum / x.length;
        double std = Math.sqrt(sq / x.length - mean * mean);
        double expected = 0.5 * 2.0 / 4; // noiseMultiplier · clippingNorm / sites = 0.25
        assertEquals(expected, std, 0.01 * expected, "std of the noise");
        assertEquals(0, mean, 5 * expected / Math.sqrt(x.length), "mean of the noise");

        assertArrayEquals(x, flat(noiseOnly(settings, 1)), "same seed and round, same noise");
        Map<String, Object> otherSeed = Map.of("clippingNorm", 2.0, "noiseMultiplier", 0.5, "seed", 12);
        assertFalse(Arrays.equals(x, flat(noiseOnly(otherSeed, 1))), "another seed, other noise");
        assertFalse(Arrays.equals(x, flat(noiseOnly(settings, 2))), "another round, other noise");
    }

    @Test
    void aResumedSessionAddsTheSameNoiseAndKeepsTheInnerState() {
        Map<String, Object> settings = Map.of("inner", "fedadam", "inner.serverLearningRate", 0.1,
                "clippingNorm", 1.0, "noiseMultiplier", 0.3);
        ParameterSet g0 = wb(0.5, -1, 2, 0);
        StrategySession first = Strategies.open(DP, settings);
        ParameterSet g1 = round(first, 1, g0);
        StrategyState saved = first.state();
        assertTrue(saved.values().containsKey("seed") && "1".equals(saved.values().get("inner.step")),
                saved.values().toString());
        assertTrue(saved.tensors().names().contains("inner/m/w"), saved.tensors().names().toString());
        ParameterSet g2 = round(first, 2, g1);

        StrategySession resumed = Strategies.open(DP, settings);
        resumed.restore(saved);
        assertArrayEquals(flat(g2), flat(round(resumed, 2, g1)), "resumed from the state of round 1");

        Map<String, Object> seeded = new HashMap<>(settings);
        seeded.put("seed", first.settings().get("seed"));
        assertArrayEquals(flat(g1), flat(round(Strategies.open(DP, seeded), 1, g0)), "the seed in the settings");
        assertFalse(Arrays.equals(flat(g1), flat(round(Strategies.open(DP, settings), 1, g0))),
                "seed -1: a new random seed per session");
    }

    private static ParameterSet round(StrategySession s, int round, ParameterSet g) {
        return s.aggregateFit(round, g, List.of(fit("a", 1, plus(g, 0.1, 0.2, -0.3, 0.05)),
                fit("b", 3, plus(g, 2, -1, 0.5, 0))), List.of());
    }
}
