package org.fedfms.data.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.data.FilePairs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePairsTest {

    @TempDir
    Path dir;

    private void touch(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
    }

    @Test
    void pairsByBaseNameAndNamesEveryOddFile() throws Exception {
        for (String f : List.of("images/a.png", "images/b.png", "images/e.jpg", "images/e.png", "images/notes.txt",
                "images/.hidden", "masks/a_mask.png", "masks/c.png", "masks/e.png")) {
            touch(f);
        }
        FilePairs.Result r = FilePairs.match(dir.resolve("images"), dir.resolve("masks"), "_mask",
                List.of(".png", ".jpg"), p -> dir.relativize(p).toString());
        assertEquals(1, r.pairs().size());
        assertEquals("a", r.pairs().get(0).base());
        assertEquals(dir.resolve("masks/a_mask.png"), r.pairs().get(0).mask());
        List<String> problems = r.problems().stream().map(FilePairs.Unpaired::problem).toList();
        assertEquals(List.of(
                "images/b.png: no mask named 'b_mask.*' in masks",
                "masks/c.png: no image named 'c.*' in images",
                "images/e.jpg, images/e.png share the name 'e': keep one",
                "images/notes.txt: unsupported file type (accepted: .png, .jpg)"), problems);
    }

    @Test
    void sharedFolderTellsMasksBySuffix() throws Exception {
        for (String f : List.of("s/Case00.nii.gz", "s/Case00_segmentation.nii.gz", "s/Case01.nii")) {
            touch(f);
        }
        FilePairs.Result r = FilePairs.match(dir.resolve("s"), dir.resolve("s"), "_segmentation",
                List.of(".nii", ".nii.gz"), p -> dir.relativize(p).toString());
        assertEquals(1, r.pairs().size());
        assertEquals("Case00", r.pairs().get(0).base());
        assertEquals(List.of("s/Case01.nii: no mask named 'Case01_segmentation.*' in s"),
                r.problems().stream().map(FilePairs.Unpaired::problem).toList());
    }
}
