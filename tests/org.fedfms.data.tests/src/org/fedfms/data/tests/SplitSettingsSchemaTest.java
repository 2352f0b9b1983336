package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.data.Partition;
import org.fedfms.data.SplitSettings;
import org.fedfms.data.SplitUnit;
import org.junit.jupiter.api.Test;

/** The split settings are declared once and flattened into every loader's settings. */
class SplitSettingsSchemaTest {

    record LoaderSettings(@Setting(description = "root") String root,
            @Setting(description = "the split") SplitSettings split) {
    }

    private static final SettingsSchema<LoaderSettings> SCHEMA = SettingsSchema.of("dataset test",
            LoaderSettings.class, new LoaderSettings("", SplitSettings.DEFAULTS));

    @Test
    void splitSettingsAreFlattenedIntoTheLoadersKeys() {
        assertEquals(List.of("root", "partition", "partitionSites", "dirichletAlpha", "validationFraction",
                "testFraction", "splitBy", "holdOutSite", "seed"),
                SCHEMA.descriptors().stream().map(SettingDescriptor::key).toList());
        LoaderSettings s = SCHEMA.bind(Map.of("root", "/d", "partition", "iid", "testFraction", "0.3", "seed", 7));
        assertEquals(new SplitSettings(Partition.IID, 0, 0.5, 0.1, 0.3, SplitUnit.CASE, "", 7), s.split());
        Map<String, Object> m = SCHEMA.toMap(s);
        assertEquals("iid", m.get("partition"));
        assertEquals(0.3, m.get("testFraction"));
        assertEquals(s, SCHEMA.bind(m));
    }

    @Test
    void everyProblemIsReportedAtOnceIncludingTheGroupsOwnCheck() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> SCHEMA.bind(Map.of("seed", "x", "validationFraction", 2, "bogus", 1)));
        assertEquals(3, e.problems().size(), e.problems().toString());
        SettingsException sum = assertThrows(SettingsException.class,
                () -> SCHEMA.bind(Map.of("validationFraction", 0.6, "testFraction", 0.5)));
        assertTrue(sum.problems().get(0).contains("sum < 1"), sum.problems().toString());
    }
}
