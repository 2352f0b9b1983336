package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a dataset folder's {@code dataset.json} text, bounded, naming the file in every error. */
public final class DatasetJson {

    /** The largest {@code dataset.json} read (a Decathlon task lists every case: a few hundred KB). */
    public static final long MAX_BYTES = 16L << 20;

    private DatasetJson() {
    }

    /**
     * The text of {@code folder/dataset.json}.
     *
     * @throws IOException naming the file: missing, too large or unreadable
     */
    public static String read(Path folder, String shownFolder, String layout) throws IOException {
        Path f = folder.resolve(VolumeDatasets.DESCRIPTION_FILE);
        String shown = shownFolder + "/" + VolumeDatasets.DESCRIPTION_FILE;
        if (!Files.isRegularFile(f)) {
            throw new IOException(shown + ": missing (" + layout + ")");
        }
        if (Files.size(f) > MAX_BYTES) {
            throw new IOException(shown + ": " + Files.size(f) + " bytes, more than " + MAX_BYTES);
        }
        return Files.readString(f);
    }
}
