package org.fedfms.federation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipFile;

/**
 * What an experiment's model starts from, as status, exports and comparisons show it: the initial
 * weights file's name, format and the first 12 hex digits of its SHA-256, or random initialisation.
 *
 * @param file the file name (without its folder), empty for random initialisation
 * @param format {@code pth}, {@code safetensors}, {@code npz} (from the file's first bytes), empty for none
 * @param sha256 the first 12 hex digits of the file's SHA-256, empty for none
 */
public record StartingPoint(String file, String format, String sha256) {

    /** Random initialisation from the experiment's seed. */
    public static final StartingPoint RANDOM = new StartingPoint("", "", "");

    private static final int SHORT_DIGEST = 12;

    /**
     * The starting point of {@code weights} (an experiment's {@link ExperimentSpec#weights()}).
     *
     * @throws IOException naming the file when it cannot be read
     */
    public static StartingPoint of(String weights) throws IOException {
        if (weights == null || weights.isBlank()) {
            return RANDOM;
        }
        Path path = Path.of(weights.trim());
        if (!Files.isRegularFile(path)) {
            throw new IOException("initial weights " + path.toAbsolutePath() + " do not exist (or are not a file)");
        }
        return new StartingPoint(path.getFileName().toString(), format(path), digest(path).substring(0, SHORT_DIGEST));
    }

    /** The file in an experiment's directory that records its starting point, written once at creation. */
    public static final String RECORD_FILE = "starting-point.json";

    /** Writes this starting point as {@link #RECORD_FILE} into an experiment's directory (whole or not at all). */
    public void record(Path experimentDirectory) throws IOException {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("file", file);
        o.addProperty("format", format);
        o.addProperty("sha256", sha256);
        org.fedfms.api.io.AtomicFiles.write(experimentDirectory.resolve(RECORD_FILE),
                o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The starting point recorded in an experiment's directory, if there is a record.
     *
     * @throws IOException naming the file when the record cannot be read
     */
    public static java.util.Optional<StartingPoint> recorded(Path experimentDirectory) throws IOException {
        Path f = experimentDirectory.resolve(RECORD_FILE);
        if (!Files.exists(f)) {
            return java.util.Optional.empty();
        }
        try {
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(f))
                    .getAsJsonObject();
            return java.util.Optional.of(new StartingPoint(o.get("file").getAsString(), o.get("format").getAsString(),
                    o.get("sha256").getAsString()));
        } catch (RuntimeException e) {
            throw new IOException(f + " is not a starting-point record: " + e.getMessage(), e);
        }
    }

    /** Whether the model starts from random initialisation. */
    public boolean isRandom() {
        return file.isEmpty();
    }

    /** In words: {@code sam-tiny-pretrained.pth (pth, sha256 f9ec70ccaab7)} or {@code random initialisation}. */
    public String describe() {
        return isRandom() ? "random initialisation" : file + " (" + format + ", sha256 " + sha256 + ")";
    }

    private static String format(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(9);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            try (ZipFile zip = new ZipFile(path.toFile())) {
                return zip.stream().anyMatch(e -> e.getName().endsWith("data.pkl")) ? "pth" : "npz";
            } catch (IOException e) {
                return "zip";
            }
        }
        if (head.length == 9 && head[8] == '{') {
            return "safetensors";
        }
        return head.length >= 1 && head[0] == (byte) 0x80 ? "pth (legacy)" : "unknown";
    }

    private static String digest(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
