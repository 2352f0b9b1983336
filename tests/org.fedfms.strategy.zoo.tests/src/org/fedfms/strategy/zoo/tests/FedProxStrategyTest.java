package org.fedfms.strategy.zoo.tests;

import static org.fedfms.strategy.zoo.tests.Strategies.fit;
import static org.fedfms.strategy.zoo.tests.Strategies.flat;
import static org.fedfms.strategy.zoo.tests.Strategies.wb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.StrategySession;
import org.junit.jupiter.api.Test;

class FedProxStrategyTest {

    @Test
    void sendsMuToEverySiteAndAveragesLikeFedAvg() {
        StrategySession s = Strategies.open("fedprox", Map.of("mu", "0.5"));
        ParameterSet global = wb(0, 0, 0, 0);
        Map<String, FitInstructions> ins = s.configureFit(1, global,
                List.of(new SiteInfo("a", 10), new SiteInfo("b", 30), new SiteInfo("c", 60)));
        assertEquals(List.of("a", "b", "c"), List.copyOf(ins.keySet()));
        ins.values().forEach(i -> assertEquals(0.5, i.getDouble(FitInstructions.PROXIMAL_MU, -1)));
        // (10·[1,2,3,4] + 30·[5,6,7,8] + 60·[2,0,-1,1]) / 100 = [2.8, 2.0, 1.8, 3.4]
        ParameterSet next = s.aggregateFit(1, global, List.of(fit("a", 10, wb(1, 2, 3, 4)),
                fit("b", 30, wb(5, 6, 7, 8)), fit("c", 60, wb(2, 0, -1, 1))), List.of());
        assertArrayEquals(new float[] {2.8f, 2.0f, 1.8f, 3.4f}, flat(next), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0, 0}, flat(global));
    }

    @Test
    void muDefaultsTo001AndMustNotBeNegative() {
        StrategySession s = Strategies.open("fedprox", Map.of());
        assertEquals(0.01, s.settings().get("mu"));
        assertEquals(0.01, s.configureFit(1, wb(0, 0, 0, 0), List.of(new SiteInfo("x", 1))).get("x")
                .getDouble(FitInstructions.PROXIMAL_MU, -1));
        String m = assertThrows(SettingsException.class, () -> Strategies.open("fedprox", Map.of("mu", -0.1)))
                .getMessage();
        assertTrue(m.contains("'mu'"), m);
    }
}
