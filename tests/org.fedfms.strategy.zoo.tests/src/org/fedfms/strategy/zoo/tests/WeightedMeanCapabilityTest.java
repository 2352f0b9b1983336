package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.fedfms.strategy.zoo.tests.Strategies.wb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.api.Test;

/**
 * {@code AggregationStrategy.aggregatesWeightedMean}: which strategies secure aggregation may feed one summed update,
 * and that for those one update carrying the weighted mean and the total weight aggregates as the separate ones do.
 */
class WeightedMeanCapabilityTest {

    private static final List<String> MEAN_BASED = List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad",
            "fedavgm");

    @Test
    void onlyStrategiesThatUseTheWeightedMeanSayTheyDo() {
        for (String id : Strategies.ALL) {
            assertEquals(MEAN_BASED.contains(id), Strategies.get(id).aggregatesWeightedMean(Map.of()), id);
        }
        assertEquals(false, Strategies.get("fedavg").aggregatesWeightedMean(Map.of("weighted", false)));
        assertEquals(false, Strategies.get("fedavg").aggregatesWeightedMean(Map.of("roundWeights", true)));
        assertEquals(false, Strategies.get("fedadam").aggregatesWeightedMean(Map.of("weighted", false)));
    }

    @Test
    void oneUpdateWithTheWeightedMeanAggregatesAsTheSeparateOnes() {
        ParameterSet global = wb(0.5, -1, 2, 0);
        ParameterSet a = wb(1, 2, 3, 0.25);
        ParameterSet b = wb(-1, 0.5, 4, -0.75);
        ParameterSet mean = wb((3 * 1 + 1 * -1) / 4.0, (3 * 2 + 1 * 0.5) / 4.0, (3 * 3 + 1 * 4) / 4.0,
                (3 * 0.25 + 1 * -0.75) / 4.0);
        for (String id : MEAN_BASED) {
            StrategySession separate = Strategies.open(id, Map.of());
            RoundAggregator s = separate.beginRound(1, global);
            s.accept(fit("a", 3, a));
            s.accept(fit("b", 1, b));
            StrategySession summed = Strategies.open(id, Map.of());
            RoundAggregator m = summed.beginRound(1, global);
            m.accept(fit("secure-sum", 4, mean));
            float[] expected = flat(s.finish(List.of()));
            float[] actual = flat(m.finish(List.of()));
            assertArrayEquals(expected, actual, 1e-6f, id);
        }
    }
}
