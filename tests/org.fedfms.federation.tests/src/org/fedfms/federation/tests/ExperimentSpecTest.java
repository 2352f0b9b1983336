package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.train.DeviceSpec;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.RoundParticipation;
import org.fedfms.federation.TrainingSchedule;
import org.fedfms.federation.UpdateSharing;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Experiment specs: defaults, validation, JSON. */
class ExperimentSpecTest {

    @Test
    void defaultsAreThoseOfTheReferenceSetUp() {
        ExperimentSpec s = ExperimentSpec.builder("prostate").build();
        assertEquals("sam-tiny", s.model());
        assertEquals("msa", s.adapter());
        assertEquals("djl", s.trainer());
        assertEquals("synthetic", s.dataset());
        assertEquals("fedavg", s.strategy());
        assertEquals(Protocol.FEDERATED, s.protocol());
        assertEquals(1, s.schedule().localEpochs());
        assertEquals(0, s.schedule().learningRate(), "the model variant's own, set when the experiment is created");
        assertEquals(1.0, s.participation().fractionPerRound());
        assertEquals("auto", s.device());
        assertEquals(List.of(), s.problems());
        ExperimentSpec nulls = new ExperimentSpec("x", null, null, null, null, null, null, null, null, null, null, 1,
                null, null, null, null, null);
        assertEquals("sam-tiny", nulls.model());
        assertEquals(Map.of(), nulls.datasetSettings());
        assertEquals(Protocol.FEDERATED, nulls.protocol());
        assertEquals(ExperimentSpec.DEFAULTS.schedule(), nulls.schedule(), "a group left null takes its defaults");
        assertEquals(ExperimentSpec.DEFAULTS.sharing(), nulls.sharing());
        assertTrue(ExperimentSpec.SCHEMA.descriptors().stream().anyMatch(d -> d.key().equals("minSites")
                && d.min() == 1 && !d.description().isBlank()), "described for forms and the shell");
    }

    @Test
    void deviceIsParsedOnceAndTypedInTheTrainerSpec() {
        ExperimentSpec gpu = ExperimentSpec.builder("g").device("GPU").build();
        assertEquals(List.of(), gpu.problems());
        assertEquals("gpu:0", gpu.device());
        assertEquals(new DeviceSpec(DeviceSpec.Kind.GPU, 0), gpu.trainerSpec().device());
        assertEquals(DeviceSpec.CPU, ExperimentSpec.builder("c").device(" cpu ").build().trainerSpec().device());
        assertEquals(DeviceSpec.AUTO, ExperimentSpec.builder("a").build().trainerSpec().device());
        ExperimentSpec tpu = ExperimentSpec.builder("t").device("tpu:1").build();
        assertEquals(List.of("'device' = 'tpu:1' is not auto, cpu or gpu:N"), tpu.problems());
    }

    @Test
    void jsonRoundTripsAndFillsDefaults() throws IOException {
        ExperimentSpec s = ExperimentSpec.builder("fundus-loso").protocol(Protocol.LEAVE_ONE_SITE_OUT)
                .unseenSite("site-3").strategy("fedprox").strategySettings(Map.of("mu", 0.01))
                .datasetSettings(Map.of("root", "/data/fundus", "sites", 4)).trainerOptions(Map.of("loss", "bce"))
                .device("gpu:1").rounds(100).seed(-5).build();
        String json = ExperimentSpecJson.toJson(s);
        assertTrue(json.contains("\"protocol\": \"leave-one-site-out\""), json);
        ExperimentSpec back = ExperimentSpecJson.fromJson(json, "test");
        assertEquals(s.toBuilder().datasetSettings(Map.of("root", "/data/fundus", "sites", 4L)).build(), back);
        assertEquals(ExperimentSpecJson.toJson(s), ExperimentSpecJson.toJson(back));

        ExperimentSpec small = ExperimentSpecJson.fromJson("{\"name\": \"tiny\", \"rounds\": 3, "
                + "\"protocol\": \"LOCAL_ONLY\"}", "test");
        assertEquals(ExperimentSpec.builder("tiny").rounds(3).protocol(Protocol.LOCAL_ONLY).build(), small);

        Path file = Files.createTempFile("spec", ".json");
        try {
            ExperimentSpecJson.write(file, s);
            assertEquals(back, ExperimentSpecJson.read(file));
        } finally {
            Files.delete(file);
        }
    }

    /**
     * A spec.json as written before the spec grouped its settings (flat keys, patience after device) still
     * reads, and the spec is written back with the same flat keys.
     */
    @Test
    void flatJsonOfEarlierVersionsReadsIntoTheGroups() {
        String old = """
                {
                  "name": "prostate-old",
                  "model": "sam-tiny",
                  "adapter": "msa",
                  "trainer": "djl",
                  "dataset": "synthetic",
                  "datasetSettings": {"sites": 3},
                  "strategy": "fedprox",
                  "strategySettings": {"mu": 0.01},
                  "rounds": 25,
                  "localEpochs": 2,
                  "batchSize": 8,
                  "learningRate": 0.0005,
                  "protocol": "federated",
                  "unseenSite": "",
                  "seed": 7,
                  "minSites": 2,
                  "fractionPerRound": 0.5,
                  "roundDeadlineSeconds": 120.0,
                  "device": "cpu",
                  "patience": 4,
                  "weights": "",
                  "trainerOptions": {"loss": "dice"},
                  "encoding": "down=fp16",
                  "secureAggregation": "on",
                  "clientDp": "",
                  "localParameters": "*norm*"
                }
                """;
        ExperimentSpec s = ExperimentSpecJson.fromJson(old, "old spec.json");
        assertEquals(new TrainingSchedule(25, 2, 8, 0.0005, 4), s.schedule());
        assertEquals(new RoundParticipation(2, 0.5, 120.0), s.participation());
        assertEquals(new UpdateSharing("down=fp16", "on", "", "*norm*"), s.sharing());
        assertEquals("cpu", s.device());
        assertEquals(Map.of("loss", "dice"), s.trainerOptions());
        JsonObject written = JsonParser.parseString(ExperimentSpecJson.toJson(s)).getAsJsonObject();
        JsonObject read = JsonParser.parseString(old).getAsJsonObject();
        assertEquals(read.keySet(), written.keySet(), "the same flat keys, no group objects");
        assertEquals(25, written.get("rounds").getAsInt());
        assertEquals("*norm*", written.get("localParameters").getAsString());
        assertEquals(s, ExperimentSpecJson.fromJson(ExperimentSpecJson.toJson(s), "written"));
        SettingsException nested = assertThrows(SettingsException.class,
                () -> ExperimentSpecJson.fromJson("{\"schedule\": {\"rounds\": 3}}", "nested"));
        assertTrue(nested.getMessage().contains("unknown key 'schedule'"), nested.getMessage());
        assertEquals(List.of("rounds", "localEpochs", "batchSize", "learningRate", "patience"),
                ExperimentSpec.SCHEMA.descriptors().stream().map(d -> d.key())
                        .filter(k -> List.of("rounds", "localEpochs", "batchSize", "learningRate", "patience")
                                .contains(k)).toList());
    }

    @Test
    void badSpecsListEveryProblem() {
        SettingsException unknown = assertThrows(SettingsException.class,
                () -> ExperimentSpecJson.fromJson("{\"name\": \"a\", \"roundz\": 5}", "a.json"));
        assertTrue(unknown.getMessage().startsWith("experiment spec a.json"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("unknown key 'roundz'"), unknown.getMessage());

        SettingsException values = assertThrows(SettingsException.class, () -> ExperimentSpecJson.fromJson(
                "{\"name\": \"has space\", \"rounds\": 0, \"fractionPerRound\": 0, \"device\": \"tpu\", "
                        + "\"protocol\": \"leave-one-site-out\", \"learningRate\": -1}", "b.json"));
        List<String> p = values.problems();
        assertTrue(p.stream().anyMatch(x -> x.startsWith("'name' = 'has space'")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("'rounds' = 0 is outside [1, 1000000]")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("'fractionPerRound' = 0.0 must be positive")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("'device' = 'tpu'")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("'unseenSite' must name the held-out site")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("'learningRate'")), p.toString());

        SettingsException type = assertThrows(SettingsException.class,
                () -> ExperimentSpecJson.fromJson("{\"rounds\": \"ten\"}", "c.json"));
        assertTrue(type.getMessage().contains("'rounds' must be a whole number, found \"ten\""), type.getMessage());
        SettingsException protocol = assertThrows(SettingsException.class,
                () -> ExperimentSpecJson.fromJson("{\"protocol\": \"gossip\"}", "d.json"));
        assertTrue(protocol.getMessage().contains("unknown protocol 'gossip'"), protocol.getMessage());
        SettingsException syntax = assertThrows(SettingsException.class,
                () -> ExperimentSpecJson.fromJson("{\"rounds\": 3", "e.json"));
        assertTrue(syntax.getMessage().contains("not valid JSON"), syntax.getMessage());
        assertThrows(SettingsException.class, () -> ExperimentSpecJson.fromJson("[1, 2]", "f.json"));
    }

    @Test
    void schemaBindsShellOptions() {
        ExperimentSpec s = ExperimentSpec.SCHEMA.bindArguments(List.of("name=opt", "rounds=7",
                "protocol=leave-one-site-out", "unseenSite=b", "fractionPerRound=0.5"));
        assertEquals(7, s.schedule().rounds());
        assertEquals(Protocol.LEAVE_ONE_SITE_OUT, s.protocol());
        assertEquals(List.of(), s.problems());
    }
}
