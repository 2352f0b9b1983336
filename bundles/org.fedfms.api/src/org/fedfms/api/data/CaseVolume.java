package org.fedfms.api.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One case of volumetric data (a patient's volume) that its slices' predictions are put back into, to be
 * scored as a whole per foreground label (Dice, IoU, HD95 and ASSD in millimetres from the volume's voxel
 * spacing) and written as a label volume aligned with its source image. Slices not predicted count as
 * background. Implemented by the loaders that slice volumes; reached through {@link CaseSlice#caseVolume()}.
 */
public interface CaseVolume {

    /** The case id, as {@link Sample#caseId()} of its slices. */
    String caseId();

    /**
     * The scores of every foreground label of the case, label 1 first.
     *
     * @param predicted predicted label per pixel of each predicted slice (row-major, as the slice's mask), by
     *        {@link CaseSlice#slice()} index
     * @throws IOException if the label volume cannot be read or a prediction does not fit its slice
     */
    List<LabelScores> score(Map<Integer, byte[]> predicted) throws IOException;

    /**
     * Writes the predicted label volume with the source image's header (affine, spacing), whole or not at all.
     *
     * @param predicted as for {@link #score}
     * @param target the file, {@code .nii.gz} or {@code .nii}
     * @throws IOException if the source cannot be read or a prediction does not fit
     */
    void writePrediction(Map<Integer, byte[]> predicted, Path target) throws IOException;
}
