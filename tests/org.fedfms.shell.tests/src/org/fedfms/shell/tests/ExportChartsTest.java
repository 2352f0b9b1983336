package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code fedfms:export} draws {@code dice.png} and {@code loss.png} (per round: each site and the mean) with
 * JFreeChart, without a display, from the rounds of a real run (the djl trainer, sam-tiny on small synthetic
 * sites).
 */
class ExportChartsTest {

    private static final String DATA = "sites=2,samplesPerSite=6,imageSize=32,slicesPerCase=1,validationFraction=0.34";

    private Shell shell;
    private Path tmp;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        tmp = Files.createTempDirectory("fedfms-charts-test");
        FederationService f = shell.federation();
        Shell.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals("djl"))
                && f.loaders().stream().anyMatch(l -> l.id().equals("synthetic")), "the djl trainer and synthetic data",
                60_000);
    }

    @AfterEach
    void close() {
        shell.close();
        Shell.deleteTree(tmp);
    }

    @Test
    void exportDrawsDiceAndLossPerRoundForEachSiteAndTheMean() throws Exception {
        String name = "shell-charts";
        shell.forget(name);
        FederationService f = shell.federation();
        shell.run("fedfms:experiment --model sam-tiny --adapter msa --trainer djl --dataset synthetic --data " + DATA
                + " --device cpu --rounds 3 --batch 2 --lr 1e-3 --options localSteps=1 " + name);
        shell.run("fedfms:run " + name);
        List<RoundResult> history = f.history(name);
        assertEquals(3, history.size());
        assertTrue(history.get(2).evaluationMetrics().get("dice").isPresent(), history.get(2).toString());

        Path out = tmp.resolve("out");
        String report = shell.execute("fedfms:export --overlays 0 " + name + " " + out).toString();
        for (String chart : List.of("dice.png", "loss.png")) {
            Path file = out.resolve(chart);
            assertTrue(report.contains(file.toString()), report);
            BufferedImage image = ImageIO.read(file.toFile());
            assertEquals(900, image.getWidth(), chart);
            assertEquals(560, image.getHeight(), chart);
            assertTrue(colours(image) > 4, chart + " has lines of several colours on white");
        }
    }

    private static int colours(BufferedImage image) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
