package org.fedfms.api.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Scores a folder of predicted label files ({@code .nii.gz}, {@code .nii}, {@code .png}) against the label
 * files of the same names, per case and label, like nnU-Net's folder evaluation; an OSGi service.
 */
public interface FolderEvaluator {

    /**
     * One case and label.
     *
     * @param caseName the file name
     * @param scores its scores
     */
    record CaseRecord(String caseName, LabelScores scores) {
    }

    /**
     * The means of one label over the cases where it is present in prediction or truth.
     *
     * @param label the label value
     * @param scored cases in the means
     * @param absent cases where the label is absent from both (left out of the means)
     */
    record LabelMean(int label, double dice, double iou, double hd95Mm, double assdMm, int scored, int absent) {
    }

    /** Every record, by case then label, and the means per label. */
    record Result(List<CaseRecord> records, List<LabelMean> means) {
        public Result {
            records = List.copyOf(records);
            means = List.copyOf(means);
        }
    }

    /**
     * Scores {@code predictions} against {@code labels}: every non-zero value found in either folder, or
     * those in {@code only}; a label absent from both files of a case gets its NaN record.
     *
     * @throws IOException listing every problem at once (missing partners, unreadable files, grids that differ)
     */
    Result evaluate(Path predictions, Path labels, List<Integer> only) throws IOException;

    /** Writes the result as JSON ({@code cases}, one object per case and label, and {@code mean} per label). */
    void writeJson(Result result, Path file) throws IOException;
}
