package org.fedfms.data.imagefolder.internal;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.fedfms.data.LabelMapping;

/**
 * Decodes image and mask files with the JDK's ImageIO (PNG, JPEG, BMP, GIF, TIFF). Reads raster
 * samples directly, so grayscale keeps its stored values (no colour-space conversion); 16-bit data
 * is scaled to 0..255; grayscale becomes three equal channels.
 */
final class ImageDecoder {

    private ImageDecoder() {
    }

    /** A decoded image: H×W×3 values in 0..255. */
    record Pixels(int height, int width, float[] rgb) {
    }

    /** The most pixels an image may have: more is a decompression bomb or a mistaken file. */
    static final long MAX_PIXELS = 1L << 27;

    /**
     * Decodes {@code file}. Its content must be of the format its name says, and its header's size is
     * checked before any pixel is decoded.
     *
     * @throws IOException naming the file and the reason
     */
    static BufferedImage read(Path file, String shown) throws IOException {
        String actual = sniff(file);
        String named = named(file.getFileName().toString());
        if (actual != null && named != null && !actual.equals(named)) {
            throw new IOException(shown + ": a " + actual + " file named ." + extension(file) + "; rename it to "
                    + "the format it holds");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(shown + ": not an image any installed reader understands (PNG, JPEG, BMP, GIF, "
                        + "TIFF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new IOException(shown + ": " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels, more "
                            + "than the " + MAX_PIXELS + " an image may have (a decompression bomb or a mistaken file)");
                }
                return reader.read(0);
            } catch (IOException | RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(shown + ": ")) {
                    throw e;
                }
                throw new IOException(shown + ": cannot decode: " + message(e), e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The format the first bytes show, or null if none of those read here. */
    static String sniff(Path file) throws IOException {
        byte[] h = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(h, 0, h.length);
        }
        if (n >= 8 && (h[0] & 0xFF) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
            return "PNG";
        }
        if (n >= 3 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xFF) == 0xD8 && (h[2] & 0xFF) == 0xFF) {
            return "JPEG";
        }
        if (n >= 4 && h[0] == 'G' && h[1] == 'I' && h[2] == 'F' && h[3] == '8') {
            return "GIF";
        }
        if (n >= 4 && ((h[0] == 'I' && h[1] == 'I' && h[2] == 42 && h[3] == 0)
                || (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && h[3] == 42))) {
            return "TIFF";
        }
        if (n >= 2 && h[0] == 'B' && h[1] == 'M') {
            return "BMP";
        }
        return null;
    }

    private static String named(String name) {
        return switch (extension(Path.of(name))) {
            case "png" -> "PNG";
            case "jpg", "jpeg" -> "JPEG";
            case "gif" -> "GIF";
            case "tif", "tiff" -> "TIFF";
            case "bmp" -> "BMP";
            default -> null;
        };
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static Pixels pixels(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] rgb = new float[h * w * 3];
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (cm instanceof IndexColorModel) {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                rgb[3 * i] = (argb[i] >> 16) & 0xFF;
                rgb[3 * i + 1] = (argb[i] >> 8) & 0xFF;
                rgb[3 * i + 2] = argb[i] & 0xFF;
            }
            return new Pixels(h, w, rgb);
        }
        int colours = Math.min(3, cm.getNumColorComponents());
        double scale = scale(raster);
        float[] band = new float[h * w];
        for (int c = 0; c < 3; c++) {
            int b = colours == 1 ? 0 : c;
            if (c == 0 || colours > 1) {
                raster.getSamples(0, 0, w, h, b, band);
            }
            for (int i = 0; i < band.length; i++) {
                double v = band[i] * scale;
                rgb[3 * i + c] = (float) (v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return new Pixels(h, w, rgb);
    }

    /** The mask's stored labels (palette indices for palette images) mapped to classes. */
    static byte[] mask(BufferedImage img, LabelMapping labels, String shown) throws IOException {
        int h = img.getHeight();
        int w = img.getWidth();
        Raster raster = img.getRaster();
        int colours = img.getColorModel().getNumColorComponents();
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        int[] first = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        if (!palette && colours >= 3) {
            for (int b = 1; b < 3; b++) {
                int[] other = raster.getSamples(0, 0, w, h, b, (int[]) null);
                for (int i = 0; i < other.length; i++) {
                    if (other[i] != first[i]) {
                        throw new IOException(shown + ": a colour mask (channels differ at row " + i / w + ", column "
                                + i % w + "); give a single-channel label image");
                    }
                }
            }
        }
        return labels.map(h, w, i -> first[i], shown);
    }

    private static double scale(Raster raster) {
        int type = raster.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) {
            return 255.0;
        }
        int bits = raster.getSampleModel().getSampleSize(0);
        return bits <= 8 ? 255.0 / ((1 << bits) - 1) : 255.0 / ((1L << Math.min(bits, 31)) - 1);
    }

    /** The exception's message and its causes' (ImageIO wraps the reason: "Caught exception during read"). */
    private static String message(Throwable e) {
        StringBuilder b = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            b.append(": ").append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        }
        return b.toString();
    }
}
