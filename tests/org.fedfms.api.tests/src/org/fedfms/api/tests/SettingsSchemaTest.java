package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.junit.jupiter.api.Test;

class SettingsSchemaTest {

    enum Mode { FAST, EXACT }

    record Example(
            @Setting(description = "proximal term", min = 0) double mu,
            @Setting(description = "rounds", min = 1, max = 1000) int rounds,
            @Setting(description = "weighted") boolean weighted,
            @Setting(description = "mode") Mode mode,
            @Setting(description = "norm", choices = {"l1", "l2"}) String norm) {
    }

    private static final SettingsSchema<Example> SCHEMA =
            SettingsSchema.of("test", Example.class, new Example(0.01, 10, true, Mode.FAST, "l2"));

    @Test
    void describesEverySetting() {
        List<SettingDescriptor> d = SCHEMA.descriptors();
        assertEquals(List.of("mu", "rounds", "weighted", "mode", "norm"), d.stream().map(SettingDescriptor::key).toList());
        assertEquals(0.01, d.get(0).defaultValue());
        assertEquals("[0.0, inf]", d.get(0).constraintText());
        assertEquals("[1, 1000]", d.get(1).constraintText());
        assertEquals("{fast|exact}", d.get(3).constraintText());
        assertEquals("fast", d.get(3).defaultValue());
    }

    record Open(
            @Setting(description = "decay below 1", min = 0, max = 1, maxExclusive = true) double decay,
            @Setting(description = "positive", min = 0, minExclusive = true) double tau) {
    }

    @Test
    void anExcludedBoundIsShownAndRefused() {
        SettingsSchema<Open> schema = SettingsSchema.of("open", Open.class, new Open(0.9, 1e-3));
        assertEquals("[0.0, 1.0)", schema.descriptors().get(0).constraintText());
        assertEquals("(0.0, inf]", schema.descriptors().get(1).constraintText());
        assertEquals(new Open(0.0, Double.MIN_VALUE), schema.bind(Map.of("decay", 0.0, "tau", Double.MIN_VALUE)));
        assertEquals(0.999, schema.bind(Map.of("decay", "0.999")).decay());
        SettingsException e = assertThrows(SettingsException.class,
                () -> schema.bind(Map.of("decay", "1", "tau", "0")));
        assertEquals(List.of("'decay' = 1.0 is outside [0.0, 1.0)", "'tau' = 0.0 is outside (0.0, inf]"),
                e.problems());
    }

    @Test
    void bindsTextAndTypedValuesOverDefaults() {
        Example e = SCHEMA.bindArguments(List.of("mu=0.5", "mode=exact"));
        assertEquals(new Example(0.5, 10, true, Mode.EXACT, "l2"), e);
        Example f = SCHEMA.bind(Map.of("rounds", 20, "weighted", false, "norm", "l1"));
        assertEquals(new Example(0.01, 20, false, Mode.FAST, "l1"), f);
        assertEquals(Map.of("mu", 0.01, "rounds", 20, "weighted", false, "mode", "fast", "norm", "l1"), SCHEMA.toMap(f));
    }

    @Test
    void reportsEveryProblemAtOnce() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> SCHEMA.bind(Map.of("mu", "-1", "rounds", "ten", "speed", "3", "norm", "l3")));
        assertEquals(4, e.problems().size(), e.problems().toString());
        String m = e.getMessage();
        assertTrue(m.contains("unknown setting 'speed'"), m);
        assertTrue(m.contains("'mu' = -1.0 is outside [0.0, inf]"), m);
        assertTrue(m.contains("'rounds': 'ten' is not a integer"), m);
        assertTrue(m.contains("'norm' = 'l3' is not one of {l1|l2}"), m);
        assertThrows(SettingsException.class, () -> SCHEMA.bindArguments(List.of("mu")));
        assertThrows(SettingsException.class, () -> SCHEMA.bind(Map.of("rounds", 2.5)));
    }
}
