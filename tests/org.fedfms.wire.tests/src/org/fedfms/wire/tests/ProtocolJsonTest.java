package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.train.TrainerSpec;
import org.fedfms.wire.protocol.Credentials;
import org.fedfms.wire.protocol.EvaluationReport;
import org.fedfms.wire.protocol.JoinRequest;
import org.fedfms.wire.protocol.ProtocolException;
import org.fedfms.wire.protocol.StrictJson;
import org.fedfms.wire.protocol.TaskMessage;
import org.junit.jupiter.api.Test;

/** The site protocol's JSON: strict syntax, typed fields that name what is wrong, records that round-trip. */
class ProtocolJsonTest {

    @Test
    void laxJsonIsRefused() {
        refused("{'a': 1}", "not valid JSON");
        refused("{\"a\": 1, \"a\": 2}", "duplicate key 'a'");
        refused("{\"a\": 1} {\"b\": 2}", "the body is not valid JSON");
        refused("{a: 1}", "not valid JSON");
        refused("[1, 2]", "must be a JSON object");
        refused("[".repeat(100) + "]".repeat(100), "deeper than 64");
        assertEquals(0, StrictJson.object("  ", "body").size());
    }

    private static void refused(String text, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> StrictJson.object(text, "the body"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void fieldsOfTheWrongKindAreNamed() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> JoinRequest.of(StrictJson.object("{\"trainSamples\": 1.5}", "join")));
        assertTrue(e.getMessage().contains("'trainSamples' must be a whole number"), e.getMessage());
        e = assertThrows(ProtocolException.class,
                () -> JoinRequest.of(StrictJson.object("{\"trainSamples\": -1}", "join")));
        assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
        e = assertThrows(ProtocolException.class,
                () -> JoinRequest.of(StrictJson.object("{\"trainSample\": 1}", "join")));
        assertTrue(e.getMessage().contains("unknown field 'trainSample'"), e.getMessage());
        e = assertThrows(ProtocolException.class, () -> EvaluationReport.of(StrictJson.object(
                "{\"sampleCount\": 3, \"metrics\": {\"dice\": \"high\"}}", "evaluation")));
        assertTrue(e.getMessage().contains("'metrics.dice' must be a number"), e.getMessage());
    }

    @Test
    void aMetricNotDefinedOnTheSamplesTravelsAsNullAndAnInfiniteOneIsRefused() {
        EvaluationReport undefined = new EvaluationReport(2, Map.of("dice", Double.NaN, "loss", 0.5));
        String json = undefined.toJson().toString();
        assertTrue(json.contains("\"dice\":null"), json);
        EvaluationReport read = EvaluationReport.of(StrictJson.object(json, "evaluation"));
        assertTrue(Double.isNaN(read.metrics().get("dice")), read.toString());
        assertEquals(0.5, read.metrics().get("loss"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> EvaluationReport.of(StrictJson.object(
                "{\"sampleCount\": 3, \"metrics\": {\"dice\": 1e999}}", "evaluation")));
        assertTrue(e.getMessage().contains("'metrics.dice' is not finite"), e.getMessage());
    }

    @Test
    void aJoinDeclaresTheFeaturesOfItsAgentAndAnOldJoinDeclaresNone() {
        JoinRequest current = new JoinRequest(10, 2, 1);
        assertTrue(current.supports(JoinRequest.STARTING_STATE));
        assertEquals(current, JoinRequest.of(StrictJson.object(current.toJson().toString(), "join")));
        JoinRequest old = JoinRequest.of(StrictJson.object("{\"trainSamples\": 10}", "join"));
        assertEquals(List.of(), old.supports());
        assertFalse(old.supports(JoinRequest.STARTING_STATE));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> JoinRequest.of(StrictJson.object("{\"supports\": \"starting-state\"}", "join")));
        assertTrue(e.getMessage().contains("'supports' must be an array"), e.getMessage());
        e = assertThrows(ProtocolException.class,
                () -> JoinRequest.of(StrictJson.object("{\"supports\": [1]}", "join")));
        assertTrue(e.getMessage().contains("'supports' must hold feature names"), e.getMessage());
    }

    @Test
    void aTaskRoundTripsWithItsTrainerSpec() {
        TaskMessage t = new TaskMessage("t-1", "FIT", "exp", 3, "djl", new TrainerSpec("sam-tiny", "msa", "cpu", 2, 4,
                1e-3, -7L, Map.of("loss", "dice", "localSteps", 5L)), Map.of("proximalMu", 0.01), null, true);
        TaskMessage back = TaskMessage.of(StrictJson.object(t.toJson().toString(), "task"));
        assertEquals(t, back);
        assertNull(back.split());
        assertEquals("", back.localParameters(), "no key: every parameter is shared");
        assertFalse(t.toJson().has("localParameters"));

        TaskMessage kept = new TaskMessage("t-2", "EVALUATE", "exp", 3, "djl", t.trainerSpec(), Map.of(), "VALIDATION",
                true, "", "", " *norm* , mask_decoder.iou*");
        assertEquals("*norm*,mask_decoder.iou*", kept.localParameters());
        assertEquals(kept, TaskMessage.of(StrictJson.object(kept.toJson().toString(), "task")));
    }

    @Test
    void placeholderAndShortTokensAreRefusedNamingTheKey() {
        assertTrue(Credentials.problem("change-me-site-0", "site.token").contains("'site.token' is a placeholder"));
        assertTrue(Credentials.problem("abc", "site.token").contains("'site.token' is too short"));
        assertNull(Credentials.problem("f3a9c1e0b7d24c5e9a1b", "site.token"));
        assertEquals("change-me-admin", Credentials.placeholderOf("change-me-admin"::equals, null));
        assertEquals("change-me-site-3", Credentials.placeholderOf("change-me-site-3"::equals, "site-3"));
    }
}
