package org.fedfms.data.imagefolder.internal;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

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

    static BufferedImage read(Path file, String shown) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(shown + ": cannot decode: " + message(e), e);
        }
        if (img == null) {
            throw new IOException(shown + ": not an image any installed reader understands (PNG, JPEG, BMP, GIF, TIFF)");
        }
        return img;
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

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
