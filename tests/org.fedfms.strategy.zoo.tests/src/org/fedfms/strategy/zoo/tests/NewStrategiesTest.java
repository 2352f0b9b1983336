package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.FlowerCounterpart;
import org.fedfms.api.strategy.RoundAggregator;
import org.junit.jupiter.api.Test;

/** FedNova on hand-computed values; what Bulyan, q-FedAvg and FedNova refuse, and how they say it. */
class NewStrategiesTest {

    private static ParameterSet w(double v) {
        return ParameterSet.builder().add("w", new int[] {1}, new float[] {(float) v}).build();
    }

    private static FitResult site(String id, long samples, double steps, double value) {
        return new FitResult(id, w(value), samples, Metrics.of("loss", 0.3, "steps", steps));
    }

    /*
     * global 0; site a: 1 step to 1, site b: 4 steps to 8.
     *   equal weights: tau_eff = (1 + 4)/2 = 2.5, mean of (w - g)/tau = (1 + 2)/2 = 1.5 -> 3.75 (FedAvg: 4.5)
     *   samples 3 and 1: tau_eff = 0.75 + 1 = 1.75, 0.75*1 + 0.25*2 = 1.25 -> 2.1875 (FedAvg: 2.75)
     */
    @Test
    void fedNovaNormalizesEachUpdateByItsLocalSteps() {
        List<FitResult> equal = List.of(site("a", 1, 1, 1), site("b", 1, 4, 8));
        assertArrayEquals(new float[] {3.75f}, flat(Strategies.open("fednova", Map.of())
                .aggregateFit(1, w(0), equal, List.of())), 1e-6f);
        List<FitResult> weighted = List.of(site("a", 3, 1, 1), site("b", 1, 4, 8));
        assertArrayEquals(new float[] {2.1875f}, flat(Strategies.open("fednova", Map.of())
                .aggregateFit(1, w(0), weighted, List.of())), 1e-6f);
        // weighted=false: the sample counts do not matter, as in the first case
        assertArrayEquals(new float[] {3.75f}, flat(Strategies.open("fednova", Map.of("weighted", false))
                .aggregateFit(1, w(0), weighted, List.of())), 1e-6f);
        // equal step counts: FedAvg, (3*1 + 1*8)/4
        assertArrayEquals(new float[] {2.75f}, flat(Strategies.open("fednova", Map.of())
                .aggregateFit(1, w(0), List.of(site("a", 3, 5, 1), site("b", 1, 5, 8)), List.of())), 1e-6f);
    }

    @Test
    void fedNovaAndQFedAvgRefuseASiteWithoutTheirMetricAndGoOn() {
        FitResult noMetrics = new FitResult("bare", w(5), 2, Metrics.empty());
        RoundAggregator nova = Strategies.open("fednova", Map.of()).beginRound(3, w(0));
        String m = assertThrows(AggregationException.class, () -> nova.accept(noMetrics)).getMessage();
        assertTrue(m.contains("site bare") && m.contains("fednova") && m.contains("'steps'"), m);
        String zero = assertThrows(AggregationException.class, () -> nova.accept(site("z", 1, 0, 1))).getMessage();
        assertTrue(zero.contains("site z") && zero.contains("'steps' is 0.0"), zero);
        nova.accept(site("a", 1, 2, 1));
        assertEquals(1, nova.accepted());
        assertArrayEquals(new float[] {1}, flat(nova.finish(List.of())), 1e-6f);

        RoundAggregator q = Strategies.open("qfedavg", Map.of()).beginRound(3, w(0));
        String ql = assertThrows(AggregationException.class, () -> q.accept(noMetrics)).getMessage();
        assertTrue(ql.contains("site bare") && ql.contains("qfedavg") && ql.contains("'loss'"), ql);
        assertEquals(0, q.accepted());
    }

    @Test
    void qFedAvgWithQZeroIsThePlainMean() {
        List<FitResult> r = List.of(new FitResult("a", w(1), 10, Metrics.of("loss", 2.0)),
                new FitResult("b", w(4), 1, Metrics.of("loss", 0.1)));
        assertArrayEquals(new float[] {2.5f}, flat(Strategies.open("qfedavg", Map.of("q", 0.0))
                .aggregateFit(1, w(0), r, List.of())), 1e-6f);
        assertThrows(SettingsException.class, () -> Strategies.open("qfedavg", Map.of("learningRate", 0.0)));
    }

    @Test
    void bulyanNeedsFourFPlusThreeSites() {
        assertEquals(7, Strategies.get("bulyan").minimumSites(Map.of()));
        assertEquals(11, Strategies.get("bulyan").minimumSites(Map.of("f", 2)));
        List<FitResult> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(site("s" + i, 1, 1, i));
        }
        String m = assertThrows(AggregationException.class, () -> Strategies.open("bulyan", Map.of())
                .aggregateFit(5, w(0), six, List.of())).getMessage();
        assertTrue(m.contains("round 5") && m.contains("f=1") && m.contains("at least 4f+3 = 7") && m.contains("got 6"),
                m);
        // f=0: every site chosen, the mean of all values nearest the median is the plain mean
        assertArrayEquals(new float[] {2.5f}, flat(Strategies.open("bulyan", Map.of("f", 0))
                .aggregateFit(1, w(0), six, List.of())), 1e-6f);
    }

    /** Each Flower name belongs to a setting the strategy has; only FedNova has no Flower counterpart. */
    @Test
    void flowerNamesMapExistingSettings() {
        for (String id : Strategies.ALL) {
            AggregationStrategy s = Strategies.get(id);
            List<String> keys = s.settings().descriptors().stream().map(d -> d.key()).toList();
            s.flower().ifPresent(f -> assertTrue(keys.containsAll(f.parameters().keySet()),
                    id + ": " + f.parameters().keySet() + " not all in " + keys));
            assertEquals(!id.equals("fednova"), s.flower().isPresent(), id);
        }
        FlowerCounterpart adam = Strategies.get("fedadam").flower().orElseThrow();
        assertEquals("FedAdam", adam.strategy());
        assertEquals(Optional.of("eta"), adam.parameter("serverLearningRate"));
        assertEquals(Optional.of("beta_2"), adam.parameter("beta2"));
        assertEquals(Optional.empty(), adam.parameter("biasCorrection"), "always on in Flower");
        assertEquals(Optional.of("num_clients_to_keep"),
                Strategies.get("multikrum").flower().orElseThrow().parameter("m"));
        assertEquals(Optional.of("server_momentum"), Strategies.get("fedavgm").flower().orElseThrow()
                .parameter("serverMomentum"));
        assertEquals(Optional.of("q_param"), Strategies.get("qfedavg").flower().orElseThrow().parameter("q"));
    }

    @Test
    void fedAvgMSettingsHaveFlowerNamesDefaultsAndRanges() {
        assertEquals(Map.of("serverLearningRate", 0.1, "serverMomentum", 0.9, "weighted", true),
                Strategies.open("fedavgm", Map.of()).settings());
        assertThrows(SettingsException.class, () -> Strategies.open("fedavgm", Map.of("serverMomentum", 1.0)));
    }
}
