package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** fedfms:evaluate on a folder of predicted label images, run through Gogo. */
class EvaluateCommandsTest {

    private Shell shell;

    @TempDir
    Path dir;

    @BeforeEach
    void openSession() throws Exception {
        shell = new Shell();
    }

    @AfterEach
    void close() {
        shell.close();
    }

    /** A 10x10 label PNG with {@code label} in columns x0..x1-1, rows y0..y1-1 (nothing if label is 0). */
    private static void png(Path f, int label, int x0, int y0, int x1, int y1) throws IOException {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                img.getRaster().setSample(x, y, 0, label);
            }
        }
        ImageIO.write(img, "png", f.toFile());
    }

    @Test
    void scoresEveryCaseAndLabelAndWritesJson() throws Exception {
        png(dir.resolve("pred/a.png"), 1, 2, 2, 6, 6);
        png(dir.resolve("truth/a.png"), 1, 3, 2, 7, 6);
        png(dir.resolve("pred/b.png"), 2, 0, 0, 3, 3);
        png(dir.resolve("truth/b.png"), 2, 0, 0, 3, 3);
        Path json = dir.resolve("scores.json");
        Object result = shell.execute("fedfms:evaluate --json " + json + " " + dir.resolve("pred") + " "
                + dir.resolve("truth"));
        String out = shell.format(result);
        assertTrue(out.contains("label 1: mean dice 0.7500, iou 0.6000, hd95 1.0000 mm"), out);
        assertTrue(out.contains("over 1 cases (1 absent from both, left out)"), out);

        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonArray cases = o.getAsJsonArray("cases");
        assertEquals(4, cases.size(), "labels 1 and 2 for both cases, found in either folder");
        JsonObject a1 = cases.get(0).getAsJsonObject();
        assertEquals("a.png", a1.get("case").getAsString());
        assertEquals(1, a1.get("label").getAsInt());
        assertEquals(0.75, a1.get("dice").getAsDouble(), 1e-6);
        JsonObject a2 = cases.get(1).getAsJsonObject();
        assertTrue(a2.get("dice").isJsonNull() && a2.get("hd95_mm").isJsonNull(), "label 2 absent from both: " + a2);
        assertEquals(1.0, o.getAsJsonObject("mean").getAsJsonObject("2").get("dice").getAsDouble(), 1e-6);

        Object only = shell.execute("fedfms:evaluate --labels 2 " + dir.resolve("pred") + " " + dir.resolve("truth"));
        assertEquals(2, ((org.fedfms.shell.Table) only).rows().size());
        png(dir.resolve("pred/c.png"), 1, 0, 0, 1, 1);
        Exception e = assertThrows(Exception.class,
                () -> shell.execute("fedfms:evaluate " + dir.resolve("pred") + " " + dir.resolve("truth")));
        assertTrue(e.getMessage().contains("c.png: no label file"), e.getMessage());
    }
}
