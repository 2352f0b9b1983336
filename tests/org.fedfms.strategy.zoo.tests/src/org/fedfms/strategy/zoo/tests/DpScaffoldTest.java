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
import java.util.Optional;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.api.Test;

/**
 * The differential-privacy wrapper around SCAFFOLD: the wrapper forwards the inner strategy's fit parameters (the
 * server variate beside the model) and clips a site's variate change with its model, so that
 * {@code Δc_i + c = −update/(K·η)} still holds after clipping. Values by hand with {@code K·η = 1}.
 */
class DpScaffoldTest {

    private static StrategySession open() {
        StrategyContext context = id -> Optional.of(Strategies.get(id));
        return Strategies.get("dp-fixed-clipping").open(Map.of("inner", "scaffold", "clippingNorm", 1.0,
                "noiseMultiplier", 0.0), context);
    }

    /** A site's answer: {@code global + update} and the variate change {@code −update − c} (SCAFFOLD, K·η = 1). */
    private static FitResult site(String id, ParameterSet global, ParameterSet c, double... update) {
        double[] dc = new double[update.length];
        float[] cv = flat(c);
        for (int k = 0; k < dc.length; k++) {
            dc[k] = -update[k] - cv[k];
        }
        return fit(id, 1, ControlVariates.with(plus(global, update), wb(dc)));
    }

    @Test
    void forwardsTheServerVariateAndClipsTheVariateChangeWithTheModel() {
        StrategySession s = open();
        ParameterSet g1 = wb(1, 1, 1, 1);
        ParameterSet sent1 = s.fitParameters(1, g1);
        assertEquals(List.of("w", "b", "scaffold.c/w", "scaffold.c/b"), sent1.names(), "the variates are sent");
        ParameterSet c1 = ControlVariates.variates(sent1);
        assertArrayEquals(new float[] {0, 0, 0, 0}, flat(c1));

        // a: update [3,4,0,0] (norm 5) scaled by 0.2; b: [0.3,0,0,0.4] (norm 0.5) kept; scaffold's unweighted mean
        ParameterSet g2 = s.aggregateFit(1, g1, List.of(site("a", g1, c1, 3, 4, 0, 0),
                site("b", g1, c1, 0.3, 0, 0, 0.4)), List.of());
        assertEquals(List.of("w", "b"), g2.names());
        assertArrayEquals(new float[] {1.45f, 1.4f, 1f, 1.2f}, flat(g2), 1e-6f);
        // c = mean of the clipped changes: (−[0.6,0.8,0,0] − [0.3,0,0,0.4]) / 2
        ParameterSet c2 = ControlVariates.variates(s.fitParameters(2, g2));
        assertArrayEquals(new float[] {-0.45f, -0.4f, 0f, -0.2f}, flat(c2), 1e-6f);

        // round 2, c ≠ 0: update [0,0,6,8] (norm 10) scaled by 0.1; its change s·(Δc + c) − c moves c to −0.1·update
        ParameterSet g3 = s.aggregateFit(2, g2, List.of(site("a", g2, c2, 0, 0, 6, 8)), List.of());
        assertArrayEquals(new float[] {1.45f, 1.4f, 1.6f, 2.0f}, flat(g3), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, -0.6f, -0.8f}, flat(ControlVariates.variates(s.fitParameters(3, g3))),
                1e-6f);
    }

    @Test
    void anUpdateWithoutTheVariatesIsRefusedByName() {
        StrategySession s = open();
        ParameterSet g = wb(1, 1, 1, 1);
        AggregationException x = assertThrows(AggregationException.class,
                () -> s.aggregateFit(1, g, List.of(fit("a", 1, plus(g, 3, 4, 0, 0))), List.of()));
        assertTrue(x.getMessage().contains("site a"), x.getMessage());
    }
}
