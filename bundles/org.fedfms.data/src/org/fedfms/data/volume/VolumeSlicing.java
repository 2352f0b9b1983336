package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.data.CaseSlice;
import org.fedfms.api.data.CaseVolume;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.data.ClassLabeler;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensityWindow;
import org.fedfms.data.LabelMapping;

/**
 * How the volumes of a case become 2-D samples: slices across {@code axis}, intensities windowed per
 * volume and channel, label values mapped to classes. One channel gives a gray image (or, with
 * {@code adjacent}, the slices before and after as first and third channel); several channels give
 * the model's three input channels from the first three (two channels: first, second, first).
 *
 * @param axis the axis slices are cut across
 * @param labels how label values become classes
 * @param intensity how intensities are windowed
 * @param windowLow lower percentile or raw value of the window
 * @param windowHigh upper percentile or raw value of the window
 * @param adjacent use neighbouring slices as channels (single-channel cases only)
 * @param cache decoded volumes shared by the slices
 */
public record VolumeSlicing(NiftiVolume.Axis axis, LabelMapping labels, IntensityScaling intensity, double windowLow,
        double windowHigh, boolean adjacent, VolumeCache cache) {

    /** Labels samples by their slice's dominant foreground class (for Dirichlet partitions). */
    public static final ClassLabeler DOMINANT_CLASS = s -> s instanceof VolumeSlice vs ? vs.dominantClass() : 0;

    /** One channel of a case: which image file, and which volume of it along the fourth axis. */
    public record Channel(int file, int volume) {
    }

    /**
     * The slices of one case to keep: every slice with foreground, and every k-th slice without. Reads
     * every header and the whole label volume (checking every label value).
     *
     * @param emptyStride keep every k-th slice without foreground (1: all, 0: none)
     * @throws IOException naming the file and what is wrong
     */
    public List<VolumeSlice> cut(VolumeCase c, int emptyStride) throws IOException {
        List<Channel> channels = new ArrayList<>();
        NiftiHeader first = null;
        for (int f = 0; f < c.images().size(); f++) {
            NiftiHeader h = NiftiVolume.readHeader(c.images().get(f), c.shownImages().get(f));
            if (first == null) {
                first = h;
            } else if (!sameGrid(first, h)) {
                throw new IOException(c.shownImages().get(f) + " is " + h.dims() + " voxels but "
                        + c.shownImages().get(0) + " of the same case is " + first.dims());
            }
            for (int t = 0; t < h.channels(); t++) {
                channels.add(new Channel(f, t));
            }
        }
        NiftiVolume label = NiftiVolume.read(c.label(), c.shownLabel());
        NiftiHeader lh = label.header();
        if (!sameGrid(first, lh) || lh.channels() != 1) {
            throw new IOException(c.shownImages().get(0) + " is " + first.dims() + " voxels but its label "
                    + c.shownLabel() + " is " + lh.dims());
        }
        int n = label.slices(axis);
        int[] size = label.sliceSize(axis);
        List<VolumeSlice> kept = new ArrayList<>();
        int empties = 0;
        for (int s = 0; s < n; s++) {
            int[] counts = new int[labels.classes()];
            for (int r = 0; r < size[0]; r++) {
                for (int col = 0; col < size[1]; col++) {
                    double v = label.value(label.index(axis, s, r, col));
                    int cls = labels.classOf(v);
                    if (cls < 0) {
                        throw new IOException(c.shownLabel() + ": voxel value " + format(v) + " at slice " + s
                                + ", row " + r + ", column " + col + " (" + axis.name().toLowerCase(Locale.ROOT)
                                + " axis) is not a label; expected " + labels.expected()
                                + " (see the classes and labelValues settings)");
                    }
                    counts[cls]++;
                }
            }
            int dominant = 0;
            for (int cls = 1; cls < counts.length; cls++) {
                if (counts[cls] > 0 && (dominant == 0 || counts[cls] > counts[dominant])) {
                    dominant = cls;
                }
            }
            if (dominant != 0 || (emptyStride > 0 && empties++ % emptyStride == 0)) {
                kept.add(new VolumeSlice(String.format(Locale.ROOT, "%s_%s%03d", c.caseId(),
                        axis.name().toLowerCase(Locale.ROOT), s), c, s, n, dominant, channels, this));
            }
        }
        return kept;
    }

    private static boolean sameGrid(NiftiHeader a, NiftiHeader b) {
        return a.nx() == b.nx() && a.ny() == b.ny() && a.nz() == b.nz();
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * One slice of a case, cut on {@link #load()}.
     *
     * @param id the sample id ({@code <case>_<axis><slice>})
     * @param volumeCase the case it belongs to
     * @param slice its index along the axis
     * @param slices the case's number of slices along the axis
     * @param dominantClass its most frequent foreground class (0: none)
     * @param channels the case's channels
     * @param slicing how it is cut
     */
    public record VolumeSlice(String id, VolumeCase volumeCase, int slice, int slices, int dominantClass,
            List<Channel> channels, VolumeSlicing slicing) implements CaseSlice {

        @Override
        public String caseId() {
            return volumeCase.caseId();
        }

        @Override
        public CaseVolume caseVolume() {
            return new SlicedCase(volumeCase, slicing);
        }

        @Override
        public LabeledImage load() throws IOException {
            NiftiVolume.Axis axis = slicing.axis();
            VolumeCase c = volumeCase;
            NiftiVolume lab = slicing.cache().get(c.label(), c.shownLabel());
            boolean single = channels.size() == 1;
            float[][] inputs = new float[3][];
            Map<String, float[]> read = new HashMap<>();
            for (int j = 0; j < 3; j++) {
                Channel ch = channels.get(single ? 0 : j % channels.size());
                int at = single && slicing.adjacent() ? Math.max(0, Math.min(slices - 1, slice + j - 1)) : slice;
                String key = ch.file() + "/" + ch.volume() + "/" + at;
                inputs[j] = read.get(key);
                if (inputs[j] == null) {
                    inputs[j] = windowed(ch, at, lab);
                    read.put(key, inputs[j]);
                }
            }
            int n = inputs[0].length;
            float[] rgb = new float[n * 3];
            for (int i = 0; i < n; i++) {
                rgb[3 * i] = inputs[0][i];
                rgb[3 * i + 1] = inputs[1][i];
                rgb[3 * i + 2] = inputs[2][i];
            }
            float[] labels = lab.slice(axis, slice);
            int[] ls = lab.sliceSize(axis);
            byte[] mask = slicing.labels().map(ls[0], ls[1], i -> labels[i], c.shownLabel() + " slice " + slice);
            return new LabeledImage(ls[0], ls[1], 3, rgb, mask);
        }

        private float[] windowed(Channel ch, int at, NiftiVolume lab) throws IOException {
            NiftiVolume.Axis axis = slicing.axis();
            Path file = volumeCase.images().get(ch.file());
            String shown = volumeCase.shownImages().get(ch.file());
            NiftiVolume img = slicing.cache().get(file, shown);
            int[] size = img.sliceSize(axis);
            int[] labelSize = lab.sliceSize(axis);
            if (size[0] != labelSize[0] || size[1] != labelSize[1] || img.slices(axis) != lab.slices(axis)
                    || ch.volume() >= img.header().channels()) {
                throw new IOException(shown + " is " + img.header().dims() + " voxels but its label "
                        + volumeCase.shownLabel() + " is " + lab.header().dims());
            }
            IntensityWindow window = slicing.cache().window(file, ch.volume(), img, slicing.intensity(),
                    slicing.windowLow(), slicing.windowHigh());
            return window.applyInPlace(img.slice(axis, at, ch.volume()));
        }
    }
}
