package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.wire.ResidualFile;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.protocol.DeltaTransfer;
import org.fedfms.wire.protocol.JoinRequest;
import org.fedfms.wire.protocol.ProgressReport;
import org.fedfms.wire.protocol.ProtocolException;
import org.fedfms.wire.protocol.StrictJson;
import org.fedfms.wire.protocol.TaskMessage;
import org.junit.jupiter.api.Test;

/** The protocol of coded transfers and progress: the task's encoding, progress reports, residual files. */
class CodedProtocolTest {

    private static final TrainerSpec SPEC = new TrainerSpec("linreg", "none", "cpu", 1, 8, 0.02, 1, Map.of());

    @Test
    void aTaskCarriesItsEncodingAndABadOneIsRefusedNamingTheKey() {
        TaskMessage t = new TaskMessage("t-1", "FIT", "exp", 2, "linreg", SPEC, Map.of(), null, true, "",
                "up=topk:0.01+int8,down=int8");
        TaskMessage back = TaskMessage.of(StrictJson.object(t.toJson().toString(), "task"));
        assertEquals(t, back);
        assertTrue(back.transferEncoding().deltaUp() && back.transferEncoding().deltaDown());
        TaskMessage plain = new TaskMessage("t-2", "FIT", "exp", 2, "linreg", SPEC, Map.of(), null, true);
        assertTrue(!plain.toJson().has("encoding"), "fp32 tasks look as before");
        assertEquals(TransferEncoding.FP32, TaskMessage.of(plain.toJson()).transferEncoding());
        var json = t.toJson();
        json.addProperty("encoding", "up=int7");
        ProtocolException e = assertThrows(ProtocolException.class, () -> TaskMessage.of(json));
        assertTrue(e.getMessage().contains("'encoding'") && e.getMessage().contains("int7"), e.getMessage());
        assertTrue(new JoinRequest(1, 0, 0).supports(JoinRequest.ENCODING), "this agent declares encodings");
    }

    @Test
    void progressReportsAreNumbersWithinBounds() {
        ProgressReport r = new ProgressReport(3, 12, 24);
        assertEquals(r, ProgressReport.of(StrictJson.object(r.toJson().toString(), "progress")));
        for (String bad : new String[] {"{\"batch\": 13, \"batches\": 12}", "{\"batch\": 1, \"batches\": 0}",
                "{\"batch\": 1, \"batches\": 2000000000}", "{\"batch\": -1, \"batches\": 2}",
                "{\"batch\": 1, \"batches\": 2, \"samples\": 2000000000000}", "{\"batches\": 2}"}) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> ProgressReport.of(StrictJson.object(bad, "progress")), bad);
            assertTrue(e.getMessage().contains("batch") || e.getMessage().contains("samples"), e.getMessage());
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProgressReport.of(StrictJson.object(
                "{\"batch\": 1, \"batches\": 2, \"message\": \"\\u001b[2J\"}", "progress")));
        assertTrue(e.getMessage().contains("message"), "no text travels: " + e.getMessage());
    }

    @Test
    void deltaBasesAreDigestsOnly() {
        String d = "ab".repeat(32);
        assertEquals(d, DeltaTransfer.digest(d, "header"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> DeltaTransfer.digest("../x", "header X"));
        assertTrue(e.getMessage().startsWith("header X must be a SHA-256"), e.getMessage());
    }

    @Test
    void aResidualFileRoundTripsAndRefusesAnotherExperimentsOrADamagedOne() throws Exception {
        Path dir = Files.createTempDirectory("fedfms-residual-");
        try {
            Path file = dir.resolve("r").resolve(ResidualFile.fileName("exp"));
            assertNull(ResidualFile.read(file, "exp", "site-0"), "none yet");
            ParameterSet p = ParameterSet.builder().add("w", new int[] {2, 2}, new float[] {1, -2, 3e-9f, 4})
                    .build();
            ResidualFile.write(file, "exp", "site-0", 7, p);
            ResidualFile.Saved s = ResidualFile.read(file, "exp", "site-0");
            assertEquals(7, s.round());
            assertTrue(s.residual().equalsWithin(p, 0));
            IOException other = assertThrows(IOException.class, () -> ResidualFile.read(file, "exp", "site-1"));
            assertTrue(other.getMessage().contains(file.toString()) && other.getMessage().contains("site-0"),
                    other.getMessage());
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 3] ^= 0x40;
            Files.write(file, bytes);
            IOException damaged = assertThrows(IOException.class, () -> ResidualFile.read(file, "exp", "site-0"));
            assertTrue(damaged.getMessage().contains(file.toString()) && damaged.getMessage().contains("delete it"),
                    damaged.getMessage());
            try (var files = Files.list(file.getParent())) {
                assertEquals(1, files.count(), "no temporary file left beside it");
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
