package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fedfms.api.data.CaseVolume;
import org.fedfms.api.data.LabelScores;

/**
 * A NIfTI case as its slices see it: predictions go back onto its label volume's grid
 * ({@link CaseScoring}) and out as a label volume with its first image's header ({@link NiftiLabelWriter}).
 *
 * @param volumeCase the case's files
 * @param slicing how its slices were cut and their labels mapped
 */
public record SlicedCase(VolumeCase volumeCase, VolumeSlicing slicing) implements CaseVolume {

    @Override
    public String caseId() {
        return volumeCase.caseId();
    }

    @Override
    public List<LabelScores> score(Map<Integer, byte[]> predicted) throws IOException {
        return CaseScoring.scoreCase(volumeCase, slicing, predicted);
    }

    @Override
    public void writePrediction(Map<Integer, byte[]> predicted, Path target) throws IOException {
        NiftiLabelWriter.write(volumeCase.images().get(0), volumeCase.shownImages().get(0),
                CaseScoring.predictedVolume(volumeCase, slicing, predicted), target);
    }
}
