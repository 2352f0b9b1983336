package org.fedfms.data.volume;

import java.nio.file.Path;
import java.util.List;

/**
 * One case of a volumetric dataset: its image files, whose channels (one per 3-D file, several in a
 * 4-D file) are taken in order, and its label volume.
 *
 * @param caseId the case (patient, volume) id
 * @param images image files, e.g. nnU-Net's {@code CASE_0000.nii.gz}, {@code CASE_0001.nii.gz}
 * @param label the label volume
 * @param shownImages how to name each image file in messages
 * @param shownLabel how to name the label file in messages
 */
public record VolumeCase(String caseId, List<Path> images, Path label, List<String> shownImages, String shownLabel) {

    public VolumeCase {
        images = List.copyOf(images);
        shownImages = List.copyOf(shownImages);
        if (images.isEmpty() || images.size() != shownImages.size()) {
            throw new IllegalArgumentException("case " + caseId + ": " + images.size() + " image files, "
                    + shownImages.size() + " names");
        }
    }

    /** A case of one image file. */
    public static VolumeCase of(String caseId, Path image, Path label, String shownImage, String shownLabel) {
        return new VolumeCase(caseId, List.of(image), label, List.of(shownImage), shownLabel);
    }
}
