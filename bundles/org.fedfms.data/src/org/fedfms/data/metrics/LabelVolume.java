package org.fedfms.data.metrics;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.fedfms.data.volume.NiftiVolume;

/**
 * A label volume (or 2-D label image) read from a file: whole label values on an
 * {@code nx × ny × nz} grid with its voxel spacing in millimetres.
 *
 * @param values label values, index {@code x + nx·(y + ny·z)}
 * @param size {@code {nx, ny, nz}}
 * @param spacing {@code {dx, dy, dz}} in millimetres (1 for PNG images)
 */
public record LabelVolume(int[] values, int[] size, double[] spacing) {

    /** The file endings read: NIfTI volumes and PNG images. */
    public static final List<String> ENDINGS = List.of(".nii.gz", ".nii", ".png");

    /** Whether {@code name} has one of {@link #ENDINGS}. */
    public static boolean readable(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return ENDINGS.stream().anyMatch(lower::endsWith);
    }

    /**
     * Reads a {@code .nii.gz}, {@code .nii} or {@code .png} label file.
     *
     * @throws IOException naming {@code shown}: unreadable, 4-D, or a value that is not a whole number
     *         within 0..65535
     */
    public static LabelVolume read(Path file, String shown) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException(shown + ": not a PNG image");
            }
            Raster r = img.getRaster();
            int w = img.getWidth();
            int h = img.getHeight();
            int[] v = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[x + w * y] = r.getSample(x, y, 0);
                }
            }
            return new LabelVolume(v, new int[] {w, h, 1}, new double[] {1, 1, 1});
        }
        NiftiVolume vol = NiftiVolume.read(file, shown);
        var h = vol.header();
        if (h.channels() != 1) {
            throw new IOException(shown + ": " + h.dims() + " voxels; a label volume has one channel");
        }
        long n = h.voxels();
        int[] v = new int[(int) n];
        for (int i = 0; i < n; i++) {
            double x = vol.value(i);
            if (x != Math.rint(x) || x < 0 || x > 65535) {
                throw new IOException(shown + ": voxel value " + x + " at index " + i + " is not a label (0..65535)");
            }
            v[i] = (int) x;
        }
        return new LabelVolume(v, new int[] {(int) h.nx(), (int) h.ny(), (int) h.nz()}, h.spacing());
    }
}
