package org.fedfms.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsText;
import org.junit.jupiter.api.Test;

/** One reading of k=v text for the shell's options and the workbench's fields. */
class SettingsTextTest {

    @Test
    void commasAndSpacesSeparateSettingsAlike() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("loss", "bce");
        expected.put("lr", 1e-4);
        expected.put("localSteps", 3L);
        expected.put("fp16", true);
        assertEquals(expected, SettingsText.parse("t", "loss=bce,lr=1e-4,localSteps=3,fp16=true"));
        assertEquals(expected, SettingsText.parse("t", "loss=bce lr=1e-4  localSteps=3 fp16=true"));
        assertEquals(expected, SettingsText.parse("t", " loss=bce, lr=1e-4 ,localSteps=3\tfp16=true "));
        assertEquals(List.of("loss", "lr", "localSteps", "fp16"),
                List.copyOf(SettingsText.parse("t", "loss=bce lr=1e-4 localSteps=3 fp16=true").keySet()));
        assertEquals(Map.of(), SettingsText.parse("t", "  "));
        assertEquals(Map.of(), SettingsText.parse("t", null));
    }

    @Test
    void valuesKeepCommasAndSpacesThatStartNoSetting() {
        Map<String, Object> m = SettingsText.parse("t", "labelValues=0,128,255 root=/data/my site,b=");
        assertEquals("0,128,255", m.get("labelValues"));
        assertEquals("/data/my site", m.get("root"));
        assertEquals("", m.get("b"));
    }

    @Test
    void valuesAreTypedStrictly() {
        assertEquals(Boolean.FALSE, SettingsText.typed("false"));
        assertEquals("True", SettingsText.typed("True"));
        assertEquals(-12L, SettingsText.typed("-12"));
        assertEquals(0.5, SettingsText.typed(".5"));
        assertEquals("1e999", SettingsText.typed("1e999"));
        assertEquals("gpu:0", SettingsText.typed("gpu:0"));
    }

    @Test
    void textThatStartsWithoutAKeyIsReportedWithTheSubject() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> SettingsText.parse("trainer options", "oops loss=bce"));
        assertEquals(List.of("'oops' is not of the form key=value"), e.problems());
        assertEquals("trainer options: 'oops' is not of the form key=value", e.getMessage());
        e = assertThrows(SettingsException.class, () -> SettingsText.parse("--options", "=2, y=1"));
        assertEquals(List.of("'=2' is not of the form key=value"), e.problems());
    }
}
