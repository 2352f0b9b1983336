package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.FrameworkUtil;

/**
 * Bulyan, FedAvgM and q-FedAvg against what Flower's formulas give on the same inputs: both are in
 * {@code fixtures/flower-expected.txt}, written by {@code fixtures/flower_formulas.py} (NumPy, float64), whose
 * head says which formulas.
 */
class FlowerFormulasTest {

    private static final Map<String, double[]> VALUES = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws IOException {
        URL url = FrameworkUtil.getBundle(FlowerFormulasTest.class).getEntry("fixtures/flower-expected.txt");
        assertNotNull(url, "fixtures/flower-expected.txt is not in the test bundle");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                double[] v = new double[parts.length - 1];
                for (int i = 1; i < parts.length; i++) {
                    v[i - 1] = Double.parseDouble(parts[i]);
                }
                VALUES.put(parts[0], v);
            }
        }
    }

    private static double[] values(String key) {
        double[] v = VALUES.get(key);
        assertNotNull(v, "no '" + key + "' in flower-expected.txt");
        return v;
    }

    private static ParameterSet model(String key) {
        return Strategies.wb(values(key));
    }

    private static float[] expected(String key) {
        double[] v = values(key);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 8})
    void bulyanMatchesFlower(int n) {
        List<FitResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // sample counts do not matter: Bulyan is unweighted
            results.add(Strategies.fit("site" + i, 1 + 10L * i, model("bulyan" + n + ".site" + i)));
        }
        ParameterSet next = Strategies.open("bulyan", Map.of("f", 1)).aggregateFit(1, Strategies.wb(0, 0, 0, 0),
                results, List.of());
        assertArrayEquals(expected("bulyan" + n + ".expected"), flat(next), 1e-6f);
    }

    private static List<FitResult> fedavgmRound(int r) {
        double[] samples = values("fedavgm.samples");
        List<FitResult> results = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            results.add(Strategies.fit("site" + k, (long) samples[k], model("fedavgm.r" + r + ".site" + k)));
        }
        return results;
    }

    @Test
    void fedAvgMMatchesFlowerOverThreeRoundsAndResumesFromItsMomentum() {
        Map<String, Object> settings = Map.of("serverLearningRate", 0.7, "serverMomentum", 0.9);
        StrategySession s = Strategies.open("fedavgm", settings);
        ParameterSet g = model("fedavgm.g0");
        StrategyState afterRound1 = null;
        ParameterSet g1 = null;
        for (int r = 1; r <= 3; r++) {
            g = s.aggregateFit(r, g, fedavgmRound(r), List.of());
            assertArrayEquals(expected("fedavgm.r" + r + ".expected"), flat(g), 2e-6f, "round " + r);
            if (r == 1) {
                afterRound1 = s.state();
                g1 = g;
            }
        }
        assertEquals(List.of("m/b", "m/w"), afterRound1.tensors().names(), "the momentum, no second moment");

        StrategySession resumed = Strategies.open("fedavgm", settings);
        resumed.restore(afterRound1);
        ParameterSet g2 = resumed.aggregateFit(2, g1, fedavgmRound(2), List.of());
        assertArrayEquals(expected("fedavgm.r2.expected"), flat(g2), 2e-6f);
    }

    @Test
    void fedAvgMWithoutMomentumAtRateOneIsFedAvg() {
        ParameterSet g = model("fedavgm.g0");
        ParameterSet m = Strategies.open("fedavgm", Map.of("serverLearningRate", 1.0, "serverMomentum", 0.0))
                .aggregateFit(1, g, fedavgmRound(1), List.of());
        ParameterSet avg = Strategies.open("fedavg", Map.of()).aggregateFit(1, g, fedavgmRound(1), List.of());
        assertArrayEquals(flat(avg), flat(m), 1e-6f);
    }

    @Test
    void qFedAvgMatchesFlowerWithEachSitesLoss() {
        StrategySession s = Strategies.open("qfedavg", Map.of("q", 0.5, "learningRate", 0.1));
        ParameterSet g = model("qfedavg.g0");
        for (int r = 1; r <= 2; r++) {
            double[] losses = values("qfedavg.r" + r + ".loss");
            List<FitResult> results = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                // sample counts do not matter either
                results.add(new FitResult("site" + k, model("qfedavg.r" + r + ".site" + k), 5 + k,
                        Metrics.of("loss", losses[k])));
            }
            g = s.aggregateFit(r, g, results, List.of());
            assertArrayEquals(expected("qfedavg.r" + r + ".expected"), flat(g), 2e-6f, "round " + r);
        }
    }
}
