package org.fedfms.api.data;

/**
 * The scores of one label in one case (a volume, or an image of 2-D data); every score NaN when the label
 * is absent from both prediction and ground truth. Distances are in millimetres (pixels where no spacing
 * is known).
 *
 * @param label the label value
 * @param dice Dice coefficient 2|P∩T| / (|P| + |T|)
 * @param iou intersection over union |P∩T| / |P∪T|
 * @param hd95Mm 95th percentile of the pooled surface distances, in millimetres
 * @param assdMm mean of the pooled surface distances (average symmetric surface distance), in millimetres
 */
public record LabelScores(int label, double dice, double iou, double hd95Mm, double assdMm) {

    /** Whether the label was absent from both prediction and ground truth (every score NaN). */
    public boolean absent() {
        return Double.isNaN(dice);
    }
}
