package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/** fedfms:datasets, fedfms:dataset-info and fedfms:dataset-validate, run through Gogo. */
class DatasetCommandsTest {

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

    @Test
    void datasetsListsTheLoadersWithTheirSettings() throws Exception {
        String out = shell.awaitOutput("fedfms:datasets", s -> s.contains("synthetic") && s.contains("imagefolder"));
        assertTrue(out.contains("synthetic") && out.contains("imagefolder"), out);
        assertTrue(out.contains("shiftStrength=0.6 (double [0.0, 1.0])"), out);
        assertTrue(out.contains("root='' (text)"), out);
    }

    @Test
    void datasetInfoShowsSitesSplitsBalanceAndSizes() throws Exception {
        shell.awaitOutput("fedfms:datasets", s -> s.contains("synthetic"));
        String out = shell.run("fedfms:dataset-info -n 4 synthetic sites=2 samplesPerSite=20 slicesPerCase=2");
        assertTrue(out.startsWith("synthetic (2 sites x 20, 64 px, shift 0.60, seed 42): 2 classes, 2 sites, 40 samples"),
                out);
        assertTrue(out.contains("site-1  14     2           4     10"), out);
        assertTrue(out.contains("64x64x3 (4)"), out);
        assertTrue(out.contains("0: 9") || out.contains("0: 8"), "background share is shown: " + out);
        Exception e = assertThrows(Exception.class, () -> shell.execute("fedfms:dataset-info synthetic sites=0"));
        assertTrue(e.getMessage().contains("'sites' = 0 is outside [1, 64]"), e.getMessage());
        Exception none = assertThrows(Exception.class, () -> shell.execute("fedfms:dataset-info nosuch"));
        assertTrue(none.getMessage().contains("no dataset loader 'nosuch'"), none.getMessage());
    }

    @Test
    void datasetValidateReportsEveryProblemAtOnce() throws Exception {
        shell.awaitOutput("fedfms:datasets", s -> s.contains("imagefolder"));
        String ok = shell.run("fedfms:dataset-validate synthetic sites=2 samplesPerSite=5");
        assertTrue(ok.startsWith("synthetic: no problems in 10 samples"), ok);

        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        Files.createDirectories(dir.resolve("h/images"));
        Files.createDirectories(dir.resolve("h/masks"));
        ImageIO.write(img, "png", dir.resolve("h/images/good.png").toFile());
        ImageIO.write(img, "png", dir.resolve("h/masks/good.png").toFile());
        ImageIO.write(img, "png", dir.resolve("h/images/lonely.png").toFile());
        Files.writeString(dir.resolve("h/images/broken.png"), "not a png");
        ImageIO.write(img, "png", dir.resolve("h/masks/broken.png").toFile());
        String out = assertThrows(Exception.class,
                () -> shell.execute("fedfms:dataset-validate imagefolder root=" + dir)).getMessage();
        assertTrue(out.startsWith("imagefolder: 2 problems in 1 samples"), out);
        assertTrue(out.contains("h/images/lonely.png: no mask named 'lonely.*' in h/masks"), out);
        assertTrue(out.contains("h/images/broken.png: not an image"), out);

        String unlisted = assertThrows(Exception.class,
                () -> shell.execute("fedfms:dataset-validate imagefolder root=" + dir.resolve("missing"))).getMessage();
        assertTrue(unlisted.contains("1 problem in a dataset that could not be listed"), unlisted);
        assertTrue(unlisted.contains("does not exist"), unlisted);
    }

    @Test
    void stoppingALoaderBundleRemovesItsDataset() throws Exception {
        Bundle synthetic = null;
        for (Bundle b : shell.context.getBundles()) {
            if ("org.fedfms.data.synthetic".equals(b.getSymbolicName())) {
                synthetic = b;
            }
        }
        assertNotNull(synthetic);
        shell.awaitOutput("fedfms:datasets", s -> s.contains("synthetic"));
        synthetic.stop();
        try {
            String gone = shell.awaitOutput("fedfms:datasets", s -> !s.contains("synthetic"));
            assertFalse(gone.contains("synthetic"), gone);
            Exception e = assertThrows(Exception.class, () -> shell.execute("fedfms:dataset-info synthetic"));
            assertTrue(e.getMessage().contains("no dataset loader 'synthetic'"), e.getMessage());
        } finally {
            synthetic.start();
        }
        assertTrue(shell.awaitOutput("fedfms:datasets", s -> s.contains("synthetic")).contains("synthetic"));
        assertEquals(Bundle.ACTIVE, synthetic.getState());
    }
}
