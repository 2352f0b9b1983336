package org.fedfms.data.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.LabelScores;
import org.fedfms.data.metrics.SegmentationScores;

/**
 * Per-case evaluation of volumetric data: the predicted slices of a case are put back into its volume
 * and scored against the whole label volume, per foreground class, with the label header's voxel
 * spacing (distances in millimetres). Slices that were not predicted (empty slices thinned out at load
 * time) count as background in the prediction.
 */
public final class CaseScoring {

    private CaseScoring() {
    }

    /**
     * A predicted slice.
     *
     * @param slice the sample it predicts
     * @param classes predicted class per pixel, row-major as the sample's mask
     */
    public record SlicePrediction(VolumeSlicing.VolumeSlice slice, byte[] classes) {
    }

    /**
     * The scores of every case that has predicted slices, by case id in the order first seen; per case one
     * record per foreground class 1..classes-1.
     *
     * @throws IOException if a label volume cannot be read or a prediction does not fit its slice
     */
    public static Map<String, List<LabelScores>> score(List<SlicePrediction> predictions) throws IOException {
        Map<String, List<SlicePrediction>> byCase = new LinkedHashMap<>();
        for (SlicePrediction p : predictions) {
            byCase.computeIfAbsent(p.slice().caseId(), k -> new ArrayList<>()).add(p);
        }
        Map<String, List<LabelScores>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<SlicePrediction>> e : byCase.entrySet()) {
            VolumeSlicing.VolumeSlice first = e.getValue().get(0).slice();
            out.put(e.getKey(), scoreCase(first.volumeCase(), first.slicing(), bySlice(e.getValue())));
        }
        return out;
    }

    /**
     * The predicted label volume of one case, on its label volume's grid (index {@code x + nx·(y + ny·z)},
     * as {@link NiftiLabelWriter#write} takes it); slices not predicted are background.
     *
     * @param slices predicted slices, all of one case
     * @throws IOException if the label volume cannot be read or a prediction does not fit its slice
     */
    public static byte[] predictedVolume(List<SlicePrediction> slices) throws IOException {
        VolumeSlicing.VolumeSlice first = slices.get(0).slice();
        return predictedVolume(first.volumeCase(), first.slicing(), bySlice(slices));
    }

    private static Map<Integer, byte[]> bySlice(List<SlicePrediction> slices) {
        String caseId = slices.get(0).slice().caseId();
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        for (SlicePrediction p : slices) {
            if (!p.slice().caseId().equals(caseId)) {
                throw new IllegalArgumentException("slice " + p.slice().id() + " is not of case " + caseId);
            }
            m.put(p.slice().slice(), p.classes());
        }
        return m;
    }

    /** The predicted label volume of case {@code c} from its predicted slices by slice index. */
    static byte[] predictedVolume(VolumeCase c, VolumeSlicing slicing, Map<Integer, byte[]> predicted)
            throws IOException {
        NiftiVolume label = slicing.cache().get(c.label(), c.shownLabel());
        byte[] prediction = new byte[(int) label.header().voxels()];
        NiftiVolume.Axis axis = slicing.axis();
        int[] size = label.sliceSize(axis);
        int slices = label.slices(axis);
        for (Map.Entry<Integer, byte[]> p : predicted.entrySet()) {
            int slice = p.getKey();
            if (slice < 0 || slice >= slices) {
                throw new IOException("case " + c.caseId() + ": no slice " + slice + " (it has " + slices + ")");
            }
            if (p.getValue().length != size[0] * size[1]) {
                throw new IOException("case " + c.caseId() + " slice " + slice + ": " + p.getValue().length
                        + " predicted pixels, the slice has " + size[0] + "x" + size[1]);
            }
            for (int r = 0; r < size[0]; r++) {
                for (int col = 0; col < size[1]; col++) {
                    prediction[(int) label.index(axis, slice, r, col)] = p.getValue()[r * size[1] + col];
                }
            }
        }
        return prediction;
    }

    /** The scores of case {@code c} per foreground class from its predicted slices by slice index. */
    static List<LabelScores> scoreCase(VolumeCase c, VolumeSlicing slicing, Map<Integer, byte[]> predicted)
            throws IOException {
        NiftiVolume label = slicing.cache().get(c.label(), c.shownLabel());
        NiftiHeader h = label.header();
        int n = (int) h.voxels();
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            int cls = slicing.labels().classOf(label.value(i));
            if (cls < 0) {
                throw new IOException(c.shownLabel() + ": voxel " + i + " is not a label; expected "
                        + slicing.labels().expected());
            }
            truth[i] = cls;
        }
        byte[] predictedVolume = predictedVolume(c, slicing, predicted);
        int[] prediction = new int[n];
        for (int i = 0; i < n; i++) {
            prediction[i] = predictedVolume[i] & 0xFF;
        }
        int[] classes = new int[slicing.labels().classes() - 1];
        for (int k = 0; k < classes.length; k++) {
            classes[k] = k + 1;
        }
        return SegmentationScores.score(classes, prediction, truth, new int[] {(int) h.nx(), (int) h.ny(),
            (int) h.nz()}, h.spacing());
    }
}
