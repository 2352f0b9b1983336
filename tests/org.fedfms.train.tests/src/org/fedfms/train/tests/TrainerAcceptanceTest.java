package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/** The DJL trainer factory says which model and adapter ids it cannot train, naming those present. */
class TrainerAcceptanceTest {

    @Test
    void unknownModelAndAdapterIdsAreNamedWithThosePresent() {
        SiteTrainerFactory djl = TestEnv.trainerFactory();
        TrainerSpec present = new TrainerSpec("sam-tiny", "msa", "cpu", 1, 1, 1e-3, 1, Map.of());
        TestEnv.awaitTrue(() -> djl.problems(present).isEmpty(), () -> "sam-tiny and msa bound: " + djl.problems(present));
        assertEquals(List.of(), djl.problems(new TrainerSpec("sam-tiny", "none", "cpu", 1, 1, 1e-3, 1, Map.of())));
        List<String> problems = djl.problems(new TrainerSpec("sam-huge", "nosuch", "cpu", 1, 1, 1e-3, 1, Map.of()));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("model 'sam-huge'") && problems.get(0).contains("sam-tiny"), problems.get(0));
        assertTrue(problems.get(1).contains("adapter 'nosuch'") && problems.get(1).contains("msa"), problems.get(1));
    }

    @Test
    void theFederationRefusesThemAtCreation() {
        FederationService f = TestEnv.federation();
        SiteTrainerFactory djl = TestEnv.trainerFactory();
        TrainerSpec present = new TrainerSpec("sam-tiny", "msa", "cpu", 1, 1, 1e-3, 1, Map.of());
        TestEnv.awaitTrue(() -> djl.problems(present).isEmpty(), () -> "sam-tiny and msa bound: " + djl.problems(present));
        TestEnv.fresh(f, "djl-unknown-model");
        FederationException e = assertThrows(FederationException.class, () -> f.create(ExperimentSpec
                .builder("djl-unknown-model").model("sam-huge").adapter("msa").trainer("djl").dataset("synthetic")
                .device("cpu").build()));
        assertTrue(e.getMessage().contains("model 'sam-huge'") && e.getMessage().contains("sam-tiny"), e.getMessage());
        assertTrue(f.experiments().stream().noneMatch(s -> s.name().equals("djl-unknown-model")));
    }
}
