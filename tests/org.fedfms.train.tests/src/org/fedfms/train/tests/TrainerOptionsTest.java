package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.train.LocalOptimizer;
import org.fedfms.train.LocalWork;
import org.fedfms.train.ModelMemory;
import org.fedfms.train.PromptOptions;
import org.fedfms.train.TrainerOptions;
import org.fedfms.train.TrainingLoss;
import org.junit.jupiter.api.Test;

/** Trainer options keep their flat names while the record groups them. */
class TrainerOptionsTest {

    @Test
    void flatOptionNamesBindIntoTheGroups() {
        TrainerOptions o = TrainerOptions.of(Map.of("loss", "bce+dice", "posWeight", "3", "optimizer", "sgd",
                "weightDecay", 0.01, "localSteps", 5, "localStepsBySite", " site-1=40,site-2=10 ", "prompt", "box",
                "promptJitter", 0.05, "embeddingCacheMb", 0, "warmModels", "2"));
        assertEquals(new TrainingLoss("bce+dice", 3), o.trainingLoss());
        assertTrue(o.trainingLoss().usesBce() && o.trainingLoss().usesDice());
        assertEquals(new LocalOptimizer("sgd", 0.01), o.localOptimizer());
        assertEquals(new LocalWork(5, "site-1=40,site-2=10"), o.localWork());
        assertEquals(40, o.localWork().stepsOf("site-1"));
        assertEquals(5, o.localWork().stepsOf("site-3"));
        assertEquals(new PromptOptions("box", 0.05), o.prompts());
        assertEquals(new ModelMemory(0, 4096, "", 2, 4096), o.memory());
        assertEquals(TrainerOptions.DEFAULTS.classes(), o.classes());
    }

    @Test
    void theSchemaListsTheGroupsSettingsNotTheGroups() {
        List<String> keys = TrainerOptions.SCHEMA.descriptors().stream().map(SettingDescriptor::key).toList();
        assertTrue(keys.containsAll(List.of("loss", "posWeight", "optimizer", "weightDecay", "localSteps",
                "localStepsBySite", "prompt", "promptJitter", "metric", "classes", "weights", "dittoLambda",
                "embeddingCacheMb", "embeddingSpillMb", "embeddingCacheDir", "warmModels", "warmModelsMb")),
                keys.toString());
        assertEquals(17, keys.size(), keys.toString());
        for (String group : List.of("trainingLoss", "localOptimizer", "localWork", "prompts", "memory")) {
            assertFalse(keys.contains(group), group);
        }
        SettingsException e = assertThrows(SettingsException.class, () -> TrainerOptions.of(Map.of("memory", 1)));
        assertTrue(e.getMessage().contains("unknown setting 'memory'"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> TrainerOptions.of(Map.of("localStepsBySite", "site-1=0")));
        assertTrue(e.getMessage().contains("localStepsBySite: 'site-1=0' is not site=steps"), e.getMessage());
    }
}
